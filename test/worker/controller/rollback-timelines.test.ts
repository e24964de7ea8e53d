// Covers the rollback rule over simulated timelines: buckets fed second by
// second into MetricWindows (worker/src/controller/metric-windows.ts) and
// judged by assessRollout (rollback-policy.ts) after every second, with the
// default policy. A late failure caught by the fast window where a cumulative
// rate is blind; a slow burn caught by the slow window only; a steady 1%
// error rate that never fails.
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../../../worker/src/controller/rollout-policy.js";
import { wilsonLowerBound } from "../../../worker/src/controller/wilson.js";
import { evenErrors, seededRandom, simulate } from "./builders.js";

const RPS = 50;
const HEALTHY_SECONDS = 300;

describe("rollback timelines", () => {
  it("fast window catches a 30% failure within seconds after 5 healthy minutes; a cumulative rate needs most of a minute", () => {
    const traffic = Array.from({ length: HEALTHY_SECONDS + 90 }, (_, i) =>
      i < HEALTHY_SECONDS
        ? { requests: RPS, errors: evenErrors(0.01, RPS, i) }
        : { requests: RPS, errors: evenErrors(0.3, RPS, i - HEALTHY_SECONDS) },
    );
    const timeline = simulate(traffic);
    expect(timeline.slice(0, HEALTHY_SECONDS).every((s) => s.assessment.verdict === "healthy")).toBe(true);

    const caught = timeline.find((s) => s.assessment.verdict === "failed")!;
    const failingSecondsSeen = caught.second - HEALTHY_SECONDS + 1;
    expect(failingSecondsSeen).toBeLessThanOrEqual(3);
    expect(caught.assessment).toMatchObject({ window: "fast", action: "rollback", rollbackTo: "blue" });

    // The same Wilson rule on everything since the flip (the seed's cumulative rate) is diluted by the healthy minutes.
    const cumulativeFails = (s: (typeof timeline)[number]) =>
      wilsonLowerBound(s.cumulative.errors, s.cumulative.requests) > DEFAULT_POLICY.maxErrorRate;
    expect(cumulativeFails(caught)).toBe(false);
    const cumulativeCaught = timeline.find(cumulativeFails)!;
    expect(cumulativeCaught.second - HEALTHY_SECONDS + 1).toBeGreaterThan(30);
  });

  it("slow window catches a slow burn (8% errors at 5 req/s) that the fast window cannot confirm", () => {
    const traffic = Array.from({ length: 120 }, (_, i) => ({ requests: 5, errors: evenErrors(0.08, 5, i) }));
    const timeline = simulate(traffic);
    expect(timeline.some((s) => s.assessment.measurements.fast.verdict === "failed")).toBe(false);
    const caught = timeline.find((s) => s.assessment.verdict === "failed")!;
    expect(caught).toBeDefined();
    expect(caught.assessment).toMatchObject({ window: "slow", action: "rollback" });
    expect(caught.second).toBeLessThan(DEFAULT_POLICY.slowWindowSeconds);
  });

  it("a steady 1% error rate at 50 req/s never fails over 2 minutes, judged every second", () => {
    for (const seed of [1, 2, 3, 42, 2024]) {
      const random = seededRandom(seed);
      const traffic = Array.from({ length: 120 }, () => {
        let errors = 0;
        for (let r = 0; r < RPS; r++) if (random() < 0.01) errors++;
        return { requests: RPS, errors };
      });
      const timeline = simulate(traffic);
      expect(timeline).toHaveLength(120);
      const verdicts = new Set(timeline.map((s) => s.assessment.verdict));
      expect([...verdicts], `seed ${seed}`).toEqual(["healthy"]);
    }
  });
});
