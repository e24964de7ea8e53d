// Covers: contract/scoring.ts and the model server's model/evaluate.ts — accuracy, per-label
// precision/recall/F1, the confusion matrix and agreement rate on small
// cases worked out by hand, and the errors for empty or mismatched input.
import { describe, expect, it } from "vitest";
import type { Label } from "../../../contract/prediction.js";
import { agreementRate, scorePredictions } from "../../../contract/scoring.js";
import { evaluate } from "../../../model-server/index.js";

describe("scorePredictions", () => {
  // actual:    P P P N N U   (P positive, N negative, U neutral)
  // predicted: P P N N U U
  const actual: Label[] = ["positive", "positive", "positive", "negative", "negative", "neutral"];
  const predicted: Label[] = ["positive", "positive", "negative", "negative", "neutral", "neutral"];
  const r = scorePredictions(actual, predicted);

  it("counts accuracy and the confusion matrix", () => {
    expect(r.examples).toBe(6);
    expect(r.correct).toBe(4);
    expect(r.accuracy).toBeCloseTo(4 / 6);
    expect(r.confusion.positive).toEqual({ positive: 2, negative: 1, neutral: 0 });
    expect(r.confusion.negative).toEqual({ positive: 0, negative: 1, neutral: 1 });
    expect(r.confusion.neutral).toEqual({ positive: 0, negative: 0, neutral: 1 });
  });

  it("computes precision, recall and F1 per label", () => {
    expect(r.perLabel.positive).toMatchObject({ precision: 1, recall: 2 / 3, support: 3, predicted: 2 });
    expect(r.perLabel.positive.f1).toBeCloseTo(0.8);
    expect(r.perLabel.negative).toMatchObject({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2, predicted: 2 });
    expect(r.perLabel.neutral).toMatchObject({ precision: 0.5, recall: 1, support: 1, predicted: 2 });
    expect(r.perLabel.neutral.f1).toBeCloseTo(2 / 3);
    expect(r.macroF1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3);
  });

  it("gives 0 precision, not NaN, for a label never predicted", () => {
    const s = scorePredictions(["positive", "negative"], ["positive", "positive"]);
    expect(s.perLabel.negative).toMatchObject({ precision: 0, recall: 0, f1: 0, predicted: 0 });
    expect(s.perLabel.neutral).toMatchObject({ precision: 0, recall: 0, support: 0 });
  });

  it("counts a prediction that is none of the labels as wrong (an origin may answer any string)", () => {
    const s = scorePredictions(["positive", "negative", "neutral"], ["positive", "POSITIVE", "meh"]);
    expect(s).toMatchObject({ correct: 1, accuracy: 1 / 3, unlabelled: 2 });
    expect(s.perLabel.negative).toMatchObject({ support: 1, recall: 0, predicted: 0 });
    expect(s.confusion.negative).toEqual({ positive: 0, negative: 0, neutral: 0 });
    expect(agreementRate(["positive", "meh"], ["positive", "meh"])).toBe(1);
  });

  it("refuses empty or mismatched input", () => {
    expect(() => scorePredictions([], [])).toThrow(RangeError);
    expect(() => scorePredictions(["positive"], [])).toThrow(RangeError);
  });
});

describe("evaluate", () => {
  it("runs the model on every text and returns its predictions in order", () => {
    const model = { predict: (t: string) => ({ prediction: (t.includes("!") ? "positive" : "neutral") as Label, confidence: 1 }) };
    const r = evaluate(model, [
      { text: "yes!", label: "positive" },
      { text: "meh", label: "negative" },
    ]);
    expect(r.predictions).toEqual(["positive", "neutral"]);
    expect(r.accuracy).toBe(0.5);
  });
});

describe("agreementRate", () => {
  it("is the share of equal predictions", () => {
    expect(agreementRate(["positive", "negative", "neutral", "neutral"], ["positive", "neutral", "neutral", "negative"])).toBe(0.5);
    expect(() => agreementRate([], [])).toThrow(RangeError);
    expect(() => agreementRate(["positive"], [])).toThrow(RangeError);
  });
});
