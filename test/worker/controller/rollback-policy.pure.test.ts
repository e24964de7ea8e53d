// Covers worker/src/controller/rollback-policy.ts, one test per rule:
// MIN_REQUESTS, the Wilson bound against MAX_ERROR_RATE, the recent suffixes
// of the fast window (judged from MIN_SUFFIX_REQUESTS, the worst one
// reported), the p99 rule (proven by more than 1% of requests slower, and
// off when unset), inconclusive is not failed,
// which window is reported,
// phases (baking, stable with/without GUARD_STABLE, rolled_back), disarmed
// after one automatic rollback, never towards an unhealthy colour, and the
// end of the bake. Timelines over real windows are in rollback-timelines.pure.test.ts.
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../../../contract/policy.js";
import type { SecondTotals } from "../../../worker/src/controller/metric-windows.js";
import { assessBake, assessRollout, assessWindow, bakeDeadlineFor, MIN_SUFFIX_REQUESTS } from "../../../worker/src/controller/rollback-policy.js";
import { wilsonLowerBound } from "../../../worker/src/controller/wilson.js";
import { failingWindows, metrics, rolloutInput } from "./builders.js";

const P99_POLICY = { ...DEFAULT_POLICY, maxP99Ms: 500 };

/** Ten seconds of `perSecond` requests; `errorsBySecond` lists the errors of the last seconds, newest last. */
function tenSeconds(perSecond: number, errorsBySecond: number[]): { recent: SecondTotals[]; window: ReturnType<typeof metrics> } {
  const errors = [...new Array<number>(10 - errorsBySecond.length).fill(0), ...errorsBySecond];
  const recent = errors.map((e, i) => ({ second: 1_000 + i, requests: perSecond, errors: e }));
  const total = errors.reduce((a, b) => a + b, 0);
  return { recent, window: metrics({ requests: perSecond * 10, errors: total }) };
}

describe("assessWindow", () => {
  it("is inconclusive below MIN_REQUESTS however bad it looks, and measured from MIN_REQUESTS on", () => {
    const few = assessWindow("fast", metrics({ requests: 19, errors: 19 }), DEFAULT_POLICY);
    expect(few.verdict).toBe("inconclusive");
    expect(few.reason).toBe("fast window (10s): could not measure, 19 < 20 requests");
    expect(assessWindow("fast", metrics({ requests: 20, errors: 20 }), DEFAULT_POLICY).verdict).toBe("failed");
  });

  it("does not fail a 1%-base-rate colour on 2 errors in 20, but does on 6 in 20 (Wilson lower bound)", () => {
    const fluke = assessWindow("fast", metrics({ requests: 20, errors: 2 }), DEFAULT_POLICY);
    const bad = assessWindow("fast", metrics({ requests: 20, errors: 6 }), DEFAULT_POLICY);
    // The plain ratio (10%) is above 5% in both cases; only the confident bound separates them.
    expect(fluke.errorRateLowerBound).toBe(wilsonLowerBound(2, 20));
    expect(fluke.errorRateLowerBound!).toBeLessThanOrEqual(DEFAULT_POLICY.maxErrorRate);
    expect(fluke.verdict).toBe("healthy");
    expect(bad.errorRateLowerBound!).toBeGreaterThan(DEFAULT_POLICY.maxErrorRate);
    expect(bad.verdict).toBe("failed");
    expect(bad.failedOn).toEqual(["error_rate"]);
  });

  it("writes the numbers into the reason", () => {
    const w = assessWindow("fast", metrics({ requests: 30, errors: 9 }), DEFAULT_POLICY);
    expect(w.reason).toBe("fast window (10s): 9/30 errors, error-rate lower bound 16.7% > 5.0%");
  });

  it("fails on p99 above MAX_P99_MS even with no errors, when more than 1% of requests are proven slower", () => {
    const w = assessWindow("slow", metrics({ seconds: 60, requests: 300, p99Ms: 812, slow: 15 }), P99_POLICY);
    expect(w.verdict).toBe("failed");
    expect(w.failedOn).toEqual(["p99"]);
    expect(w.reason).toBe("slow window (60s): p99 812ms > 500ms (15/300 requests slower than 500ms, lower bound 3.1% > 1.0%)");
    expect(assessWindow("slow", metrics({ seconds: 60, requests: 300, p99Ms: 499 }), P99_POLICY).verdict).toBe("healthy");
  });

  it("does not fail on a p99 made by one slow request: 1 in 50 does not prove that more than 1% are slow", () => {
    const w = assessWindow("fast", metrics({ requests: 50, p99Ms: 900, slow: 1 }), P99_POLICY);
    expect(w.verdict).toBe("healthy");
    expect(w.reason).toContain("p99 900ms > 500ms not proven (1/50 requests slower than 500ms, lower bound 0.4% ≤ 1.0%)");
    expect(assessWindow("fast", metrics({ requests: 50, p99Ms: 900, slow: 4 }), P99_POLICY).verdict).toBe("failed");
  });

  it("ignores latency when MAX_P99_MS is unset", () => {
    const w = assessWindow("slow", metrics({ seconds: 60, requests: 300, p99Ms: 29_000 }), DEFAULT_POLICY);
    expect(DEFAULT_POLICY.maxP99Ms).toBeNull();
    expect(w.verdict).toBe("healthy");
  });

  it("fails on a recent suffix when a failure began inside the window (not diluted by its healthy part)", () => {
    // 25 errors in 500 is healthy (lower bound 3.4%), but all of them fell in the last 2 seconds.
    const { recent, window } = tenSeconds(50, [12, 13]);
    expect(assessWindow("fast", window, DEFAULT_POLICY).verdict).toBe("healthy");
    const w = assessWindow("fast", window, DEFAULT_POLICY, recent);
    expect(w).toMatchObject({ verdict: "failed", failedOn: ["error_rate"], suffix: { seconds: 2, requests: 100, errors: 25 } });
    expect(w.suffix!.errorRateLowerBound).toBe(wilsonLowerBound(25, 100));
    expect(w.reason).toBe("fast window (10s): last 2s: 25/100 errors, error-rate lower bound 17.5% > 5.0%");
  });

  it("does not judge a suffix holding fewer than MIN_SUFFIX_REQUESTS requests", () => {
    expect(MIN_SUFFIX_REQUESTS).toBe(100);
    // 12 req/s: the last 8 s hold 96 requests. 8 errors in the last 2 s (24 requests) would fail if judged.
    const { recent, window } = tenSeconds(12, [4, 4]);
    const w = assessWindow("fast", window, DEFAULT_POLICY, recent);
    expect(w.verdict).toBe("healthy");
    expect(w.suffix).toBeNull();
  });

  it("judges suffixes from MIN_REQUESTS when that is higher than MIN_SUFFIX_REQUESTS", () => {
    const { recent, window } = tenSeconds(50, [12, 13]);
    const strict = { ...DEFAULT_POLICY, minRequests: 150 };
    const w = assessWindow("fast", window, strict, recent);
    expect(w.suffix).toMatchObject({ seconds: 3, requests: 150, errors: 25 });
  });

  it("reports the failing suffix with the highest lower bound", () => {
    // The whole window holds 25/500 (healthy); last 2 s: 15/100 (lower bound 9.3%); last 3 s: 25/150 (11.6%); last 4 s: 25/200 (8.6%).
    const { recent, window } = tenSeconds(50, [10, 0, 15]);
    const w = assessWindow("fast", window, DEFAULT_POLICY, recent);
    expect(w.suffix).toMatchObject({ seconds: 3, requests: 150, errors: 25 });
    expect(w.reason).toContain("last 3s: 25/150 errors, error-rate lower bound 11.6%");
  });

  it("does not judge p99 below MIN_REQUESTS either", () => {
    expect(assessWindow("fast", metrics({ requests: 5, p99Ms: 9_000 }), P99_POLICY).verdict).toBe("inconclusive");
  });
});

describe("assessRollout", () => {
  it("rolls back to the previous colour when a window fails during the bake", () => {
    const a = assessRollout(rolloutInput({ windows: failingWindows() }));
    expect(a).toMatchObject({ verdict: "failed", action: "rollback", rollbackTo: "blue", window: "fast" });
    expect(a.reason).toMatch(/^fast window \(10s\): 150\/500 errors, .*; slow window \(60s\): .*; rolling back to blue$/);
  });

  it("treats too little traffic as inconclusive, never failed, and does not act", () => {
    const a = assessRollout(
      rolloutInput({ windows: { fast: metrics({ requests: 3, errors: 3 }), slow: metrics({ seconds: 60, requests: 10, errors: 10 }) } }),
    );
    expect(a).toMatchObject({ verdict: "inconclusive", action: "none", rollbackTo: null });
    expect(a.reason).toContain("could not measure");
  });

  it("is healthy when the slow window measured healthy and the fast one could not measure", () => {
    const a = assessRollout(rolloutInput({ windows: { fast: metrics({ requests: 8 }), slow: metrics({ seconds: 60, requests: 48 }) } }));
    expect(a.verdict).toBe("healthy");
    expect(a.measurements.fast.verdict).toBe("inconclusive");
  });

  it("fails on the slow window alone and says so", () => {
    const a = assessRollout(
      rolloutInput({ windows: { fast: metrics({ requests: 50, errors: 4 }), slow: metrics({ seconds: 60, requests: 300, errors: 24 }) } }),
    );
    expect(a).toMatchObject({ verdict: "failed", window: "slow", action: "rollback" });
    expect(a.measurements.fast.verdict).toBe("healthy");
  });

  it("takes no action once rolled back", () => {
    const a = assessRollout(rolloutInput({ phase: "rolled_back", windows: failingWindows() }));
    expect(a).toMatchObject({ verdict: "failed", action: "none", rollbackTo: null });
    expect(a.reason).toContain("already rolled back");
  });

  it("is disarmed after one automatic rollback until the next manual flip", () => {
    const a = assessRollout(rolloutInput({ autoRollbackArmed: false, windows: failingWindows() }));
    expect(a).toMatchObject({ verdict: "failed", action: "none" });
    expect(a.reason).toContain("automatic rollback disarmed");
  });

  it("never rolls back towards an unhealthy colour", () => {
    const a = assessRollout(rolloutInput({ health: { blue: "unhealthy", green: "healthy" }, windows: failingWindows() }));
    expect(a).toMatchObject({ verdict: "failed", action: "none", rollbackTo: null });
    expect(a.reason).toMatch(/not rolling back: blue is unhealthy$/);
  });

  it("during a bake rolls back to a target whose health is unknown (last known good)", () => {
    const a = assessRollout(rolloutInput({ health: { blue: "unknown", green: "healthy" }, windows: failingWindows() }));
    expect(a).toMatchObject({ action: "rollback", rollbackTo: "blue" });
  });

  it("does not guard stable when GUARD_STABLE is off", () => {
    const a = assessRollout(rolloutInput({ phase: "stable", windows: failingWindows() }));
    expect(a).toMatchObject({ verdict: "failed", action: "none" });
    expect(a.reason).toContain("GUARD_STABLE is off");
  });

  it("guards stable with GUARD_STABLE on, only towards a standby known to be healthy", () => {
    const policy = { ...DEFAULT_POLICY, guardStable: true };
    const healthy = assessRollout(rolloutInput({ phase: "stable", policy, windows: failingWindows() }));
    expect(healthy).toMatchObject({ action: "rollback", rollbackTo: "blue" });
    const unknown = assessRollout(
      rolloutInput({ phase: "stable", policy, health: { blue: "unknown", green: "healthy" }, windows: failingWindows() }),
    );
    expect(unknown).toMatchObject({ verdict: "failed", action: "none" });
    expect(unknown.reason).toContain("standby blue health is unknown");
  });

  it("judges the recent suffixes of the fast window only when given", () => {
    const { recent, window } = tenSeconds(50, [12, 13]);
    const windows = { fast: window, slow: metrics({ seconds: 60, requests: 3000, errors: 25 }) };
    expect(assessRollout(rolloutInput({ windows })).verdict).toBe("healthy");
    expect(assessRollout(rolloutInput({ windows, recent }))).toMatchObject({ verdict: "failed", window: "fast", action: "rollback" });
  });

  it("rolls back from blue to green just the same", () => {
    const a = assessRollout(rolloutInput({ active: "blue", windows: failingWindows("blue") }));
    expect(a).toMatchObject({ action: "rollback", rollbackTo: "green" });
  });

  it("refuses windows of the wrong colour (a caller bug)", () => {
    expect(() => assessRollout(rolloutInput({ active: "blue", windows: failingWindows("green") }))).toThrow(/green/);
  });
});

describe("assessBake", () => {
  const deadline = bakeDeadlineFor(1_000_000, DEFAULT_POLICY);

  it("puts the deadline BAKE_SECONDS after the flip", () => {
    expect(deadline).toBe(1_000_000 + 120_000);
  });

  it("continues before the deadline, whatever the verdict", () => {
    expect(assessBake({ phase: "baking", bakeDeadlineMs: deadline, nowMs: deadline - 30_000, lastVerdict: "healthy" })).toEqual({
      outcome: "continue",
      reason: "baking: 30s left",
    });
  });

  it("passes at the deadline only when measured healthy", () => {
    expect(assessBake({ phase: "baking", bakeDeadlineMs: deadline, nowMs: deadline, lastVerdict: "healthy" }).outcome).toBe("passed");
  });

  it("holds at the deadline when it could not measure (inconclusive is not healthy either)", () => {
    const b = assessBake({ phase: "baking", bakeDeadlineMs: deadline, nowMs: deadline + 1, lastVerdict: "inconclusive" });
    expect(b.outcome).toBe("hold");
    expect(b.reason).toContain("too little traffic");
  });

  it("holds at the deadline when failing but not rolled back (e.g. the target is unhealthy)", () => {
    expect(assessBake({ phase: "baking", bakeDeadlineMs: deadline, nowMs: deadline + 1, lastVerdict: "failed" }).outcome).toBe("hold");
  });

  it("does nothing outside baking", () => {
    expect(assessBake({ phase: "stable", bakeDeadlineMs: deadline, nowMs: deadline + 1, lastVerdict: "healthy" }).outcome).toBe(
      "not_baking",
    );
  });
});
