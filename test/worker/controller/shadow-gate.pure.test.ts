// Covers worker/src/controller/shadow-gate.ts: the shadow gate, one case per
// rule (errors proven, too few comparisons, agreement, p99 ratio with its
// 50 ms floor, errors not proven low, passed), on hand-built counts.
import { describe, expect, it } from "vitest";
import { shadowGateFromEnv } from "../../../contract/shadow.js";
import { emptyShadowCounts, latencyBucket, type ShadowCounts } from "../../../contract/telemetry.js";
import { judgeShadow } from "../../../worker/src/controller/shadow-gate.js";

const GATE = shadowGateFromEnv({}, 0.05);

/** Counts of `sent` mirrors, `compared` items of which `agreed`, every request at the given latencies. */
function counts(o: { sent: number; compared?: number; agreed: number; http5xx?: number; activeMs?: number; standbyMs?: number; dropped?: number }): ShadowCounts {
  const c = emptyShadowCounts();
  c.sent = o.sent;
  c.compared = o.compared ?? o.sent - (o.http5xx ?? 0);
  c.agreed = o.agreed;
  c.dropped = o.dropped ?? 0;
  c.errors.http5xx = o.http5xx ?? 0;
  c.activeLatency[latencyBucket(o.activeMs ?? 8)] = o.sent;
  c.standbyLatency[latencyBucket(o.standbyMs ?? 8)] = o.sent;
  return c;
}

describe("the shadow gate", () => {
  it("has the documented defaults: 200 comparisons, agreement lower bound ≥ 70%, p99 ≤ 1.5× (floor 50 ms), MAX_ERROR_RATE", () => {
    expect(GATE).toEqual({ minComparisons: 200, minAgreement: 0.7, maxErrorRate: 0.05, maxP99Ratio: 1.5, p99FloorMs: 50 });
  });

  it("rule 1: fails a standby whose error rate is proven above MAX_ERROR_RATE, before anything else", () => {
    const r = judgeShadow(counts({ sent: 40, http5xx: 40, agreed: 0 }), GATE);
    expect(r).toMatchObject({ verdict: "failed", rule: "errors_proven" });
    expect(r.reason).toMatch(/failed 40 of 40 mirrored requests \(40 5xx/);
  });

  it("rule 2: could not measure with fewer than MIN_SHADOW_COMPARISONS comparisons, naming drops", () => {
    const r = judgeShadow(counts({ sent: 199, agreed: 199, dropped: 7 }), GATE);
    expect(r).toMatchObject({ verdict: "could_not_measure", rule: "too_few" });
    expect(r.reason).toMatch(/only 199 of the 200 comparisons.*7 mirrors dropped/);
  });

  it("rule 3: fails when the agreement's lower bound is below MIN_SHADOW_AGREEMENT (60% of 500)", () => {
    const r = judgeShadow(counts({ sent: 500, agreed: 300 }), GATE);
    expect(r).toMatchObject({ verdict: "failed", rule: "agreement" });
    expect(r.agreement.lower).toBeLessThan(0.7);
  });

  it("rule 3: 85% agreement over 200 comparisons (v1 vs v2 on the golden set) passes", () => {
    const r = judgeShadow(counts({ sent: 200, agreed: 170 }), GATE);
    expect(r.agreement.lower).toBeGreaterThan(0.7);
    expect(r.verdict).toBe("passed");
  });

  it("rule 4: fails a standby whose p99 is above 1.5× the active's", () => {
    const r = judgeShadow(counts({ sent: 300, agreed: 290, activeMs: 90, standbyMs: 240 }), GATE);
    expect(r).toMatchObject({ verdict: "failed", rule: "p99" });
    expect(r.p99.ratio).toBeGreaterThan(1.5);
  });

  it("rule 4: p99s under the 50 ms floor never fail on their ratio (8 ms vs 30 ms)", () => {
    const r = judgeShadow(counts({ sent: 300, agreed: 290, activeMs: 8, standbyMs: 30 }), GATE);
    expect(r.p99.ratio).toBe(1);
    expect(r.verdict).toBe("passed");
  });

  it("rule 5: could not measure while the error rate is not proven below MAX_ERROR_RATE", () => {
    // 12 errors in 250: 4.8%, Wilson interval about [2.8%, 8.2%]: neither proven above nor below 5%.
    const r = judgeShadow(counts({ sent: 250, http5xx: 12, agreed: 230 }), GATE);
    expect(r).toMatchObject({ verdict: "could_not_measure", rule: "errors_unproven" });
  });

  it("rule 6: passes with enough comparisons, agreement, latency and no errors", () => {
    const r = judgeShadow(counts({ sent: 1000, agreed: 850 }), GATE);
    expect(r).toMatchObject({ verdict: "passed", rule: "passed" });
    expect(r.reason).toMatch(/agreement 85\.0%/);
  });
});
