// Covers the rollback rule over simulated timelines: buckets fed second by
// second into MetricWindows (worker/src/controller/metric-windows.ts) and
// judged by assessRollout (rollback-policy.ts) after every second, with the
// default policy. A late failure caught by the fast window where a cumulative
// rate is blind; a 10% failure after a healthy minute caught by a recent
// suffix of the fast window long before the whole window proves it; a slow
// burn caught by the slow window only; a steady 1% error rate that never
// fails, with the suffix rule, at any traffic level.
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../../../contract/policy.js";
import { wilsonLowerBound } from "../../../worker/src/controller/wilson.js";
import { evenErrors, randomTraffic, simulate } from "./builders.js";

const RPS = 50;
const HEALTHY_SECONDS = 300;

describe("rollback timelines", () => {
  it("fast window catches a 30% failure in its first second after 5 healthy minutes; the whole window alone on the third; a cumulative rate needs most of a minute", () => {
    const traffic = Array.from({ length: HEALTHY_SECONDS + 90 }, (_, i) =>
      i < HEALTHY_SECONDS
        ? { requests: RPS, errors: evenErrors(0.01, RPS, i) }
        : { requests: RPS, errors: evenErrors(0.3, RPS, i - HEALTHY_SECONDS) },
    );
    const timeline = simulate(traffic);
    expect(timeline.slice(0, HEALTHY_SECONDS).every((s) => s.assessment.verdict === "healthy")).toBe(true);

    const caught = timeline.find((s) => s.assessment.verdict === "failed")!;
    expect(caught.second - HEALTHY_SECONDS + 1).toBe(1);
    expect(caught.assessment).toMatchObject({ window: "fast", action: "rollback", rollbackTo: "blue" });
    // The last 2 s: one healthy second and the first failing one.
    expect(caught.assessment.measurements.fast.suffix).toMatchObject({ seconds: 2, requests: 100, errors: 16 });

    const wholeWindow = simulate(traffic, DEFAULT_POLICY, { suffixes: false }).find((s) => s.assessment.verdict === "failed")!;
    expect(wholeWindow.second - HEALTHY_SECONDS + 1).toBe(3);

    // The same Wilson rule on everything since the flip (the seed's cumulative rate) is diluted by the healthy minutes.
    const cumulativeFails = (s: (typeof timeline)[number]) =>
      wilsonLowerBound(s.cumulative.errors, s.cumulative.requests) > DEFAULT_POLICY.maxErrorRate;
    expect(cumulativeFails(wholeWindow)).toBe(false);
    const cumulativeCaught = timeline.find(cumulativeFails)!;
    expect(cumulativeCaught.second - HEALTHY_SECONDS + 1).toBeGreaterThan(30);
  });

  it("a 10% failure after a healthy minute at 50 req/s is caught on its 2nd second by a recent suffix; the whole fast window alone needs 7", () => {
    const HEALTHY = 60;
    const traffic = Array.from({ length: HEALTHY + 30 }, (_, i) =>
      i < HEALTHY ? { requests: RPS, errors: 0 } : { requests: RPS, errors: evenErrors(0.1, RPS, i - HEALTHY) },
    );
    const caughtAt = (suffixes: boolean) => {
      const timeline = simulate(traffic, DEFAULT_POLICY, { suffixes });
      expect(timeline.slice(0, HEALTHY).every((s) => s.assessment.verdict === "healthy")).toBe(true);
      const caught = timeline.find((s) => s.assessment.verdict === "failed")!;
      return { failingSeconds: caught.second - HEALTHY + 1, assessment: caught.assessment };
    };
    const withSuffixes = caughtAt(true);
    expect(withSuffixes.failingSeconds).toBe(2);
    expect(withSuffixes.assessment).toMatchObject({ window: "fast", action: "rollback", rollbackTo: "blue" });
    expect(withSuffixes.assessment.measurements.fast.suffix).toMatchObject({ seconds: 2, requests: 100, errors: 10 });
    expect(withSuffixes.assessment.reason).toMatch(/^fast window \(10s\): last 2s: 10\/100 errors, error-rate lower bound 5\.5% > 5\.0%/);
    // The whole 10-second window holds 450 healthy requests at first: 35/500 errors are needed.
    expect(caughtAt(false).failingSeconds).toBe(7);
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
      const timeline = simulate(randomTraffic(seed, 0.01, RPS, 120));
      expect(timeline).toHaveLength(120);
      const verdicts = new Set(timeline.map((s) => s.assessment.verdict));
      expect([...verdicts], `seed ${seed}`).toEqual(["healthy"]);
    }
  });

  it("the suffix rule adds no false failure: a steady 1% error rate for 10 minutes at 20 to 200 req/s, five seeds each", () => {
    for (const rps of [20, 35, 50, 100, 200]) {
      for (const seed of [7, 8, 9, 10, 11]) {
        const timeline = simulate(randomTraffic(seed * 1_000 + rps, 0.01, rps, 600));
        const failed = timeline.find((s) => s.assessment.verdict === "failed");
        expect(failed?.assessment.reason, `${rps} req/s, seed ${seed}`).toBeUndefined();
      }
    }
  });
});
