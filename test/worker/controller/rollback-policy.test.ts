// Covers worker/src/controller/rollback-policy.ts, one test per rule:
// MIN_REQUESTS, the Wilson bound against MAX_ERROR_RATE, the p99 rule (and
// off when unset), inconclusive is not failed, which window is reported,
// phases (baking, stable with/without GUARD_STABLE, rolled_back), disarmed
// after one automatic rollback, never towards an unhealthy colour, and the
// end of the bake. Timelines over real windows are in rollback-timelines.test.ts.
import { describe, expect, it } from "vitest";
import { assessBake, assessRollout, assessWindow, bakeDeadlineFor } from "../../../worker/src/controller/rollback-policy.js";
import { DEFAULT_POLICY } from "../../../worker/src/controller/rollout-policy.js";
import { wilsonLowerBound } from "../../../worker/src/controller/wilson.js";
import { failingWindows, metrics, rolloutInput } from "./builders.js";

const P99_POLICY = { ...DEFAULT_POLICY, maxP99Ms: 500 };

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

  it("fails on p99 above MAX_P99_MS even with no errors", () => {
    const w = assessWindow("slow", metrics({ seconds: 60, requests: 300, p99Ms: 812 }), P99_POLICY);
    expect(w.verdict).toBe("failed");
    expect(w.failedOn).toEqual(["p99"]);
    expect(w.reason).toBe("slow window (60s): p99 812ms > 500ms over 300 requests");
    expect(assessWindow("slow", metrics({ seconds: 60, requests: 300, p99Ms: 499 }), P99_POLICY).verdict).toBe("healthy");
  });

  it("ignores latency when MAX_P99_MS is unset", () => {
    const w = assessWindow("slow", metrics({ seconds: 60, requests: 300, p99Ms: 29_000 }), DEFAULT_POLICY);
    expect(DEFAULT_POLICY.maxP99Ms).toBeNull();
    expect(w.verdict).toBe("healthy");
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
