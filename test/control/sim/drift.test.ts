// Covers control/sim/drift/ (npm run sim:drift), the pure parts: a bake is
// the same for the same seed (deterministic) and its shortcut over many
// MAX_LABEL_SHIFT values agrees with the drift rule (simulateBake throws
// otherwise); a legitimate release at the default policy is not rolled
// back in a few seeded bakes while a swap at 500/s and a 60% constant
// label at 50/s are, within 5 s; a silent fault is the model server's own
// (sampleLabels through Faults); the tables' arithmetic (summary.ts).
import { describe, expect, it } from "vitest";
import { emptyLabelCounts, predictionTotal } from "../../../contract/labels.js";
import { DEFAULT_POLICY } from "../../../contract/policy.js";
import { Faults } from "../../../model-server/index.js";
import { Rng } from "../../../control/sim/engine/rng.js";
import { sampleLabels, simulateBake, type BakeParams } from "../../../control/sim/drift/bake.js";
import { detectionSummary, falseRollbackSummary, numberList } from "../../../control/sim/drift/summary.js";
import type { Label } from "../../../contract/prediction.js";

/** The golden set's label counts (v1 81/48/112, v2 83/60/98) as per-text answers: the mix is what the rule sees. */
const texts = (pos: number, neg: number, neu: number): Label[] => [
  ...Array<Label>(pos).fill("positive"),
  ...Array<Label>(neg).fill("negative"),
  ...Array<Label>(neu).fill("neutral"),
];
const V1 = texts(81, 48, 112);
const V2 = texts(83, 60, 98);

const params = (over: Partial<BakeParams>): BakeParams => ({
  rate: 50,
  blue: V1,
  green: V2,
  fault: null,
  policy: DEFAULT_POLICY,
  reportIntervalMs: 1000,
  shifts: [0.02, DEFAULT_POLICY.maxLabelShift],
  ...over,
});

describe("simulateBake", () => {
  it("is deterministic for a seed", () => {
    const run = () => simulateBake(params({}), new Rng(3), 1_800_000_012.5, 0.4);
    expect(run()).toEqual(run());
  });

  it("a legitimate release at 50/s is not rolled back at the default policy (five seeds), though a much lower threshold would", () => {
    const outcomes = [1, 2, 3, 4, 5].map((seed) => simulateBake(params({}), new Rng(seed), 1_800_000_000, 0.5));
    for (const o of outcomes) {
      // The last BASELINE_MINUTES minute buckets, the flip's own (here empty: a flip on the minute) among them.
      expect(o.baselinePredictions).toBe(50 * 60 * (DEFAULT_POLICY.baselineMinutes - 1));
      expect(o.firstFailureS[1]).toBeNull();
    }
    // TVD 0.058 proven over 2 minutes: a threshold of 0.02 on its lower bound fails some bake.
    expect(outcomes.some((o) => o.firstFailureS[0] !== null)).toBe(true);
  });

  it("catches swap:positive,negative at 500/s and constant:neutral at 60% at 50/s within 5 s", () => {
    const swap = simulateBake(params({ rate: 500, fault: { mode: "swap:positive,negative", rate: 1 } }), new Rng(9), 1_800_000_000, 0.5);
    const constant = simulateBake(params({ fault: { mode: "constant:neutral", rate: 0.6 } }), new Rng(9), 1_800_000_000, 0.5);
    for (const o of [swap, constant]) {
      expect(o.firstFailureS[1]).not.toBeNull();
      expect(o.firstFailureS[1]!).toBeLessThanOrEqual(5);
    }
  });

  it("without enough baseline (a quiet service) never fails", () => {
    const o = simulateBake(params({ rate: 0.25, fault: { mode: "constant:neutral", rate: 1 } }), new Rng(1), 1_800_000_000, 0.5);
    expect(o.baselinePredictions).toBeLessThan(DEFAULT_POLICY.minBaselinePredictions);
    expect(o.firstFailureS).toEqual([null, null]);
  });
});

describe("sampleLabels", () => {
  it("draws n answers; a constant fault at 100% answers only that label", () => {
    const c = emptyLabelCounts();
    sampleLabels(c, 300, V1, new Rng(1), new Faults({ rate: 0, latencyMs: 0, silentRate: 1, silentMode: "constant:negative" }, Math.random));
    expect(predictionTotal(c)).toBe(300);
    expect(c.labels).toEqual([["negative", 300]]);
  });
});

describe("summaries", () => {
  it("numberList parses positive numbers, anything else is an error", () => {
    expect(numberList("10, 50,500")).toEqual([10, 50, 500]);
    expect(numberList("10,x")).toEqual([]);
    expect(numberList("0")).toEqual([]);
  });

  it("falseRollbackSummary counts bakes that failed per threshold", () => {
    const o = (f: Array<number | null>) => ({ firstFailureS: f, maxProvenLowerBound: 0, baselinePredictions: 1 });
    expect(falseRollbackSummary([o([3, null]), o([null, null]), o([1, 2]), o([null, null])], [0.05, 0.1])).toEqual(["2 of 4 (5.0e-1)", "1 of 4 (2.5e-1)"]);
    expect(falseRollbackSummary([o([null])], [0.1])).toEqual(["0 of 1 (< 1e+0)"]);
  });

  it("detectionSummary: nearest-rank quantiles, a missed bake slower than any caught", () => {
    const times = [1, 2, 3, 4, 5, 6, 7, 8, 9, null];
    expect(detectionSummary(times)).toEqual({ median: "5.0 s", p95: "—", max: "—", missed: "1 of 10" });
    expect(detectionSummary([2, 1])).toEqual({ median: "1.0 s", p95: "2.0 s", max: "2.0 s", missed: "0 of 2" });
  });
});
