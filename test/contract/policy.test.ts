// Covers contract/policy.ts: policyFromEnv's defaults, parsing of every
// variable, a clear line for each kind of bad value (with the value, which
// the error's message never holds), and the policy's cross-variable rule.
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../contract/env.js";
import { DEFAULT_POLICY, RolloutPolicy, policyFromEnv } from "../../contract/policy.js";

function errorOf(env: Record<string, string>): ConfigError {
  try {
    policyFromEnv(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("policyFromEnv accepted a bad env");
}

describe("policyFromEnv", () => {
  it("uses the defaults when unset or blank", () => {
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
      driftGuard: true,
      driftPValue: 0.000001,
      maxLabelShift: 0.09,
      baselineMinutes: 10,
      minBaselinePredictions: 200,
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
      DRIFT_GUARD: "off",
      DRIFT_P_VALUE: "0.0001",
      MAX_LABEL_SHIFT: "0.25",
      BASELINE_MINUTES: "30",
      MIN_BASELINE_PREDICTIONS: "1000",
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
      driftGuard: false,
      driftPValue: 0.0001,
      maxLabelShift: 0.25,
      baselineMinutes: 30,
      minBaselinePredictions: 1000,
    });
    expect(RolloutPolicy.safeParse(policy).success).toBe(true);
  });

  it.each([
    [{ FAST_WINDOW_SECONDS: "ten" }, 'FAST_WINDOW_SECONDS: must be a whole number (got "ten")'],
    [{ FAST_WINDOW_SECONDS: "2.5" }, 'FAST_WINDOW_SECONDS: must be a whole number (got "2.5")'],
    [{ MIN_REQUESTS: "0" }, 'MIN_REQUESTS: must be at least 1 (got "0")'],
    [{ SLOW_WINDOW_SECONDS: "86400" }, 'SLOW_WINDOW_SECONDS: must be at most 3600 (got "86400")'],
    [{ MAX_ERROR_RATE: "5%" }, 'MAX_ERROR_RATE: must be a number from 0 to 1 (got "5%")'],
    [{ MAX_ERROR_RATE: "5" }, 'MAX_ERROR_RATE: must be below 1 (a rate, not a percentage) (got "5")'],
    [{ MAX_P99_MS: "0" }, 'MAX_P99_MS: must be above 0 (leave it unset to turn the latency rule off) (got "0")'],
    [{ MAX_P99_MS: "60000" }, 'MAX_P99_MS: must be at most 30000 (the last latency bucket: p99 above it cannot be measured) (got "60000")'],
    [{ GUARD_STABLE: "yes" }, 'GUARD_STABLE: must be true, false, 1 or 0 (got "yes")'],
    [{ BAKE_SECONDS: "-1" }, 'BAKE_SECONDS: must be a whole number (got "-1")'],
    [{ DRIFT_GUARD: "no" }, 'DRIFT_GUARD: must be "on" or "off" (got "no")'],
    [{ DRIFT_P_VALUE: "1e-6" }, 'DRIFT_P_VALUE: must be a number (a p-value, e.g. 0.000001) (got "1e-6")'],
    [{ DRIFT_P_VALUE: "0.5" }, 'DRIFT_P_VALUE: must be at most 0.05 (a drift proven at p = 0.05 is proven on noise in some bake) (got "0.5")'],
    [{ MAX_LABEL_SHIFT: "0" }, 'MAX_LABEL_SHIFT: must be above 0 (a total variation distance, from 0 to 1) (got "0")'],
    [{ MAX_LABEL_SHIFT: "20" }, 'MAX_LABEL_SHIFT: must be at most 1 (a total variation distance is at most 1) (got "20")'],
    [{ BASELINE_MINUTES: "90" }, 'BASELINE_MINUTES: must be at most 60 (got "90")'],
    [{ MIN_BASELINE_PREDICTIONS: "0" }, 'MIN_BASELINE_PREDICTIONS: must be at least 1 (got "0")'],
    [{ FAST_WINDOW_SECONDS: "60", SLOW_WINDOW_SECONDS: "30" }, 'SLOW_WINDOW_SECONDS: must be at least FAST_WINDOW_SECONDS (60) (got "30")'],
    [{ FAST_WINDOW_SECONDS: "120" }, "SLOW_WINDOW_SECONDS: must be at least FAST_WINDOW_SECONDS (120) (default 60)"],
  ])("rejects %j with one line naming the var and its value", (env, line) => {
    const error = errorOf(env);
    expect(error.issues).toEqual([line]);
    // The message names the var and the problem, never the value (the router answers it to anyone).
    expect(error.message).toBe(`invalid rollout policy: ${line.replace(/ \((got|default) [^()]*\)$/, "")}`);
  });

  it("takes GUARD_STABLE as every boolean var does: true/false/1/0 in any case", () => {
    for (const [text, value] of [["true", true], ["FALSE", false], ["1", true], ["0", false], [" True ", true]] as const) {
      expect(policyFromEnv({ GUARD_STABLE: text }).guardStable, text).toBe(value);
    }
  });

  it("names every bad variable at once", () => {
    const error = errorOf({ MIN_REQUESTS: "many", HEALTH_INTERVAL_SECONDS: "0" });
    expect(error.issues).toHaveLength(2);
    expect(error.issues.join("\n")).toMatch(/MIN_REQUESTS[\s\S]*HEALTH_INTERVAL_SECONDS/);
  });
});
