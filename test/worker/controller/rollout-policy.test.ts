// Covers worker/src/controller/rollout-policy.ts: policyFromEnv defaults,
// parsing of every variable, and a clear error for each kind of bad value.
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY, PolicyConfigError, RolloutPolicy, policyFromEnv } from "../../../worker/src/controller/rollout-policy.js";

function errorOf(env: Record<string, string>): PolicyConfigError {
  try {
    policyFromEnv(env);
  } catch (e) {
    if (e instanceof PolicyConfigError) return e;
    throw e;
  }
  throw new Error("policyFromEnv accepted a bad env");
}

describe("policyFromEnv", () => {
  it("uses the DESIGN.md §4 defaults when unset or empty", () => {
    expect(policyFromEnv({})).toEqual(DEFAULT_POLICY);
    expect(policyFromEnv({ FAST_WINDOW_SECONDS: "", MAX_P99_MS: " ", GUARD_STABLE: "" })).toEqual(DEFAULT_POLICY);
    expect(DEFAULT_POLICY).toEqual({
      fastWindowSeconds: 10,
      slowWindowSeconds: 60,
      minRequests: 20,
      maxErrorRate: 0.05,
      maxP99Ms: null,
      guardStable: false,
      bakeSeconds: 120,
      healthIntervalSeconds: 10,
    });
  });

  it("reads every variable", () => {
    const policy = policyFromEnv({
      FAST_WINDOW_SECONDS: "5",
      SLOW_WINDOW_SECONDS: "120",
      MIN_REQUESTS: "50",
      MAX_ERROR_RATE: "0.02",
      MAX_P99_MS: "750",
      GUARD_STABLE: "TRUE",
      BAKE_SECONDS: "300",
      HEALTH_INTERVAL_SECONDS: "15",
    });
    expect(policy).toEqual({
      fastWindowSeconds: 5,
      slowWindowSeconds: 120,
      minRequests: 50,
      maxErrorRate: 0.02,
      maxP99Ms: 750,
      guardStable: true,
      bakeSeconds: 300,
      healthIntervalSeconds: 15,
    });
    expect(RolloutPolicy.safeParse(policy).success).toBe(true);
  });

  it.each([
    [{ FAST_WINDOW_SECONDS: "ten" }, 'FAST_WINDOW_SECONDS must be a whole number (got "ten")'],
    [{ FAST_WINDOW_SECONDS: "2.5" }, "FAST_WINDOW_SECONDS must be a whole number"],
    [{ MIN_REQUESTS: "0" }, 'MIN_REQUESTS must be at least 1 (got "0")'],
    [{ SLOW_WINDOW_SECONDS: "86400" }, "SLOW_WINDOW_SECONDS must be at most 3600"],
    [{ MAX_ERROR_RATE: "5%" }, "MAX_ERROR_RATE must be a number"],
    [{ MAX_ERROR_RATE: "5" }, "MAX_ERROR_RATE must be below 1 (a rate, not a percentage)"],
    [{ MAX_P99_MS: "0" }, "MAX_P99_MS must be above 0"],
    [{ MAX_P99_MS: "60000" }, "MAX_P99_MS must be at most 30000"],
    [{ GUARD_STABLE: "yes" }, 'GUARD_STABLE must be "true" or "false"'],
    [{ BAKE_SECONDS: "-1" }, "BAKE_SECONDS must be a whole number"],
    [{ FAST_WINDOW_SECONDS: "60", SLOW_WINDOW_SECONDS: "30" }, "SLOW_WINDOW_SECONDS (30) must be at least FAST_WINDOW_SECONDS (60)"],
  ])("rejects %j", (env, message) => {
    expect(errorOf(env).message).toContain(message);
  });

  it("names every bad variable at once", () => {
    const error = errorOf({ MIN_REQUESTS: "many", HEALTH_INTERVAL_SECONDS: "0" });
    expect(error.issues).toHaveLength(2);
    expect(error.issues.join("\n")).toMatch(/MIN_REQUESTS[\s\S]*HEALTH_INTERVAL_SECONDS/);
  });
});
