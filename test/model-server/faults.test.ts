// Covers: the model server's faults.ts — the fault decision (rate, latency),
// the silent faults (constant, swap, random label at a rate, their
// confidence, the mode's parser), partial updates, and the strict `PUT /fault`
// body schema.
import { describe, expect, it } from "vitest";
import type { SentimentPrediction } from "../../contract/prediction.js";
import { FaultUpdate, Faults, parseSilentMode } from "../../model-server/index.js";

describe("Faults", () => {
  it("never fails at rate 0 and always at rate 1", () => {
    expect(new Faults({ rate: 0, latencyMs: 0 }, () => 0).decide().fail).toBe(false);
    expect(new Faults({ rate: 1, latencyMs: 0 }, () => 0.999).decide().fail).toBe(true);
  });

  it("fails when the draw is below the rate", () => {
    const draws = [0.1, 0.5, 0.29, 0.3];
    const f = new Faults({ rate: 0.3, latencyMs: 7 }, () => draws.shift()!);
    expect([1, 2, 3, 4].map(() => f.decide())).toEqual([
      { fail: true, delayMs: 7 },
      { fail: false, delayMs: 7 },
      { fail: true, delayMs: 7 },
      { fail: false, delayMs: 7 },
    ]);
  });

  it("applies partial updates and keeps the other fields", () => {
    const f = new Faults({ rate: 0.2, latencyMs: 50 });
    const silentOff = { silentRate: 0, silentMode: "random", silentConfidence: null };
    expect(f.update({ rate: 0 })).toEqual({ rate: 0, latencyMs: 50, ...silentOff });
    expect(f.update({ latencyMs: 0 })).toEqual({ rate: 0, latencyMs: 0, ...silentOff });
    expect(f.update({ silentRate: 0.6, silentMode: "constant:neutral" })).toEqual({ rate: 0, latencyMs: 0, silentRate: 0.6, silentMode: "constant:neutral", silentConfidence: null });
    expect(f.update({ silentConfidence: 0.99 }).silentConfidence).toBe(0.99);
    expect(f.update({ silentConfidence: null })).toEqual({ rate: 0, latencyMs: 0, silentRate: 0.6, silentMode: "constant:neutral", silentConfidence: null });
  });

  it("hands out copies of its settings", () => {
    const f = new Faults({ rate: 0.2, latencyMs: 0 });
    f.settings.rate = 1;
    expect(f.settings.rate).toBe(0.2);
  });
});

const answer = (prediction: SentimentPrediction["prediction"], confidence = 0.8): SentimentPrediction => ({ prediction, confidence, model_version: "v2" });

describe("silent faults", () => {
  it("leave every answer alone at silentRate 0 (the default)", () => {
    const f = new Faults({ rate: 0, latencyMs: 0 }, () => 0);
    expect(f.silent(answer("positive"))).toEqual(answer("positive"));
  });

  it("constant: the drawn share answers the label, keeping the model's confidence and version", () => {
    const draws = [0.59, 0.6, 0.1];
    const f = new Faults({ rate: 0, latencyMs: 0, silentRate: 0.6, silentMode: "constant:neutral" }, () => draws.shift()!);
    expect([f.silent(answer("positive")), f.silent(answer("positive")), f.silent(answer("negative", 0.3))]).toEqual([
      answer("neutral"),
      answer("positive"),
      answer("neutral", 0.3),
    ]);
  });

  it("swap: the two labels trade places, a third is unchanged", () => {
    const f = new Faults({ rate: 0, latencyMs: 0, silentRate: 1, silentMode: "swap:positive,negative" }, () => 0.5);
    expect(["positive", "negative", "neutral"].map((l) => f.silent(answer(l as "positive")).prediction)).toEqual(["negative", "positive", "neutral"]);
  });

  it("random: a label drawn uniformly, with the configured confidence", () => {
    const draws = [0, 0.1, 0, 0.5, 0, 0.9];
    const f = new Faults({ rate: 0, latencyMs: 0, silentRate: 1, silentMode: "random", silentConfidence: 0.97 }, () => draws.shift()!);
    expect([1, 2, 3].map(() => f.silent(answer("neutral", 0.4)))).toEqual([answer("positive", 0.97), answer("negative", 0.97), answer("neutral", 0.97)]);
  });

  it("parses the three modes and says what is wrong with others", () => {
    expect(parseSilentMode("constant:neutral")).toEqual({ kind: "constant", label: "neutral" });
    expect(parseSilentMode(" swap:positive, negative ")).toEqual({ kind: "swap", a: "positive", b: "negative" });
    expect(parseSilentMode("random")).toEqual({ kind: "random" });
    expect(() => parseSilentMode("constant:joy")).toThrow(/"joy" is not a label/);
    expect(() => parseSilentMode("swap:positive,positive")).toThrow(/two different labels/);
    expect(() => parseSilentMode("swap:positive")).toThrow(/two labels/);
    expect(() => parseSilentMode("flip")).toThrow(/constant:<label>, swap:<a>,<b> or random/);
    expect(() => new Faults({ rate: 0, latencyMs: 0, silentMode: "nope" })).toThrow();
  });
});

describe("FaultUpdate schema", () => {
  it.each([
    [{ rate: 0.5 }],
    [{ latencyMs: 100 }],
    [{ rate: 1, latencyMs: 0 }],
    [{ silentRate: 0.6, silentMode: "constant:neutral" }],
    [{ silentMode: "swap:positive,negative" }],
    [{ silentConfidence: null }],
  ])("accepts %j", (body) => {
    expect(FaultUpdate.safeParse(body).success).toBe(true);
  });

  it.each([
    [{}],
    [{ rate: 1.5 }],
    [{ rate: -0.1 }],
    [{ rate: "0.5" }],
    [{ latencyMs: 1.5 }],
    [{ latencyMs: -1 }],
    [{ rate: 0.1, extra: true }],
    [{ silentRate: 2 }],
    [{ silentMode: "constant:joy" }],
    [{ silentConfidence: 1.5 }],
    [null],
  ])("rejects %j", (body) => {
    expect(FaultUpdate.safeParse(body).success).toBe(false);
  });
});
