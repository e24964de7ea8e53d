// Covers contract/labels.ts: counting labels under the cap (32 distinct
// labels of at most 64 characters, the rest as `other`; "__proto__" is a
// label like any other), the confidence bins, merging counts, the stored
// shape's checks, and reading /predict and /predict/batch answers — valid
// items, each kind of invalid one as `null`, and the fast reading's verdicts
// equal to the contract schema's on a table of edge cases and on 3,000
// seeded random values.
import { describe, expect, it } from "vitest";
import {
  addLabelCounts,
  answerLabels,
  confidenceBin,
  countAnswer,
  countLabel,
  emptyLabelCounts,
  labelledTotal,
  LabelCountsSchema,
  MAX_TRACKED_LABELS,
  parseAnswerJson,
  predictionTotal,
} from "../../contract/labels.js";
import { Prediction } from "../../contract/prediction.js";
import { seededRandom } from "../helpers/seeded-random.js";

describe("counting labels", () => {
  it("counts each label once by name, with its confidence bin", () => {
    const c = emptyLabelCounts();
    countLabel(c, "positive", 0.91);
    countLabel(c, "neutral", 0.5);
    countLabel(c, "positive");
    expect(c).toEqual({ labels: [["positive", 2], ["neutral", 1]], other: 0, unparseable: 0, confidence: [0, 0, 0, 0, 0, 1, 0, 0, 0, 1] });
    expect(labelledTotal(c)).toBe(3);
  });

  it("puts confidences in ten bins, 1 in the last", () => {
    expect([0, 0.0999, 0.1, 0.55, 0.9, 0.999, 1].map(confidenceBin)).toEqual([0, 0, 1, 5, 9, 9, 9]);
  });

  it("tracks at most 32 distinct labels; the 33rd and later count as other", () => {
    const c = emptyLabelCounts();
    for (let i = 0; i < MAX_TRACKED_LABELS + 5; i++) countLabel(c, `class-${i}`);
    countLabel(c, "class-0");
    countLabel(c, "class-40");
    expect(c.labels).toHaveLength(MAX_TRACKED_LABELS);
    expect(c.labels[0]).toEqual(["class-0", 2]);
    expect(c.other).toBe(6);
    expect(labelledTotal(c)).toBe(MAX_TRACKED_LABELS + 7);
  });

  it("counts a label over 64 characters as other: a label names a class, never a text", () => {
    const c = emptyLabelCounts();
    countLabel(c, "x".repeat(64));
    countLabel(c, "an answer that echoes the whole request text back instead of a class name");
    expect(c.labels).toEqual([["x".repeat(64), 1]]);
    expect(c.other).toBe(1);
  });

  it("counts __proto__ and constructor like any label", () => {
    const c = emptyLabelCounts();
    countLabel(c, "__proto__");
    countLabel(c, "constructor");
    countLabel(c, "__proto__");
    expect(c.labels).toEqual([["__proto__", 2], ["constructor", 1]]);
    expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
  });

  it("merges counts under the same cap", () => {
    const a = emptyLabelCounts();
    const b = emptyLabelCounts();
    for (let i = 0; i < 30; i++) countLabel(a, `a-${i}`, 0.2);
    for (let i = 0; i < 4; i++) countLabel(b, `b-${i}`, 0.8);
    countLabel(b, "a-0");
    b.unparseable = 3;
    b.other = 2;
    addLabelCounts(a, b);
    expect(a.labels).toHaveLength(MAX_TRACKED_LABELS);
    expect(a.labels.find(([l]) => l === "a-0")).toEqual(["a-0", 2]);
    expect(a.labels.map(([l]) => l).slice(30)).toEqual(["b-0", "b-1"]);
    expect(a.other).toBe(2 + 2);
    expect(a.unparseable).toBe(3);
    expect(a.confidence[2]).toBe(30);
    expect(a.confidence[8]).toBe(4);
    expect(predictionTotal(a)).toBe(30 + 5 + 2 + 3);
  });

  it("its stored shape refuses a label listed twice, too many labels, a blank label and a wrong histogram", () => {
    const ok = { labels: [["positive", 3]], other: 0, unparseable: 1, confidence: new Array(10).fill(0) };
    expect(LabelCountsSchema.safeParse(ok).success).toBe(true);
    expect(LabelCountsSchema.safeParse({ ...ok, labels: [["a", 1], ["a", 2]] }).success).toBe(false);
    expect(LabelCountsSchema.safeParse({ ...ok, labels: Array.from({ length: 33 }, (_, i) => [`l${i}`, 1]) }).success).toBe(false);
    expect(LabelCountsSchema.safeParse({ ...ok, labels: [["", 1]] }).success).toBe(false);
    expect(LabelCountsSchema.safeParse({ ...ok, confidence: [1, 2] }).success).toBe(false);
    expect(LabelCountsSchema.safeParse({ ...ok, other: -1 }).success).toBe(false);
  });
});

describe("reading answers", () => {
  const valid = { prediction: "neutral", confidence: 0.61, model_version: "v2" };

  it("reads a /predict answer's label and confidence; confidence is optional", () => {
    expect(answerLabels("single", valid, 1)).toEqual([{ label: "neutral", confidence: 0.61 }]);
    expect(answerLabels("single", { prediction: "joy", model_version: "fastapi-1" }, 1)).toEqual([{ label: "joy", confidence: undefined }]);
  });

  it.each([
    ["not JSON", parseAnswerJson("<html>Internal</html>")],
    ["JSON null", null],
    ["an array", [valid]],
    ["no prediction", { confidence: 0.5, model_version: "v1" }],
    ["an empty prediction", { ...valid, prediction: "" }],
    ["a numeric prediction", { ...valid, prediction: 1 }],
    ["no model_version", { prediction: "positive", confidence: 0.5 }],
    ["a confidence above 1", { ...valid, confidence: 1.2 }],
    ["a null confidence", { ...valid, confidence: null }],
    ["a confidence as text", { ...valid, confidence: "0.6" }],
  ])("a /predict answer with %s is unparseable", (_name, value) => {
    expect(answerLabels("single", value, 1)).toEqual([null]);
  });

  it("reads each item of a batch; a bad item alone is unparseable", () => {
    const answer = { predictions: [valid, { ...valid, prediction: "" }, { prediction: "positive", model_version: "v2" }] };
    expect(answerLabels("batch", answer, 3)).toEqual([{ label: "neutral", confidence: 0.61 }, null, { label: "positive", confidence: undefined }]);
  });

  it.each([
    ["not JSON", undefined],
    ["a bare list", [valid, valid]],
    ["a predictions that is no list", { predictions: valid }],
    ["fewer predictions than texts", { predictions: [valid] }],
    ["more predictions than texts", { predictions: [valid, valid, valid] }],
  ])("a batch answer with %s is unparseable for every text", (_name, value) => {
    expect(answerLabels("batch", value, 2)).toEqual([null, null]);
  });

  it("counts what it read", () => {
    const c = emptyLabelCounts();
    countAnswer(c, answerLabels("batch", { predictions: [valid, { ...valid, prediction: "positive", confidence: 0.05 }, {}] }, 3));
    expect(c).toEqual({ labels: [["neutral", 1], ["positive", 1]], other: 0, unparseable: 1, confidence: [1, 0, 0, 0, 0, 0, 1, 0, 0, 0] });
  });

  const scalars: unknown[] = ["", "positive", "x".repeat(80), "__proto__", 0, 1, -0.1, 0.5, 1.01, 2, null, true, [], {}, ["a"], undefined];

  it("reads an item as valid exactly when the contract's Prediction schema does (3,000 seeded values)", () => {
    const next = seededRandom(12);
    const pick = () => scalars[Math.floor(next() * scalars.length)];
    for (let i = 0; i < 3_000; i++) {
      const value: Record<string, unknown> = {};
      for (const key of ["prediction", "model_version", "confidence", "extra"]) {
        const r = next();
        if (r < 0.5) value[key] = key === "confidence" ? next() : "ok";
        else if (r < 0.8) value[key] = pick();
      }
      const item = next() < 0.05 ? pick() : value;
      const schemaSays = Prediction.safeParse(item).success;
      expect(answerLabels("single", item, 1)[0] !== null, JSON.stringify(item)).toBe(schemaSays);
    }
  });
});
