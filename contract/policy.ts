/**
 * The rollout policy (docs/rollback-policy.md): the two windows, the
 * thresholds that fail them, the bake length, the health-probe cadence and
 * the prediction-drift rule's settings; its env vars with their defaults,
 * and the policy as /admin/status shows it.
 * The controller runs it; `npm start` and `bluegreen check-config` check the
 * same vars before a deploy (worker-env.ts).
 */
import * as z from "zod/mini";
import { boolVar, ConfigError, enumVar, intVar, parseEnv, positiveVar, rateVar, shownValue, type EnvStrings } from "./env.js";
import { OVERFLOW_BOUND_MS } from "./telemetry.js";
import "./zod-messages.js";

/** Longest window the controller keeps (bounds the ring's memory and storage). */
export const MAX_WINDOW_SECONDS = 3600;
/** Most minutes of label history the controller keeps per colour, so the longest BASELINE_MINUTES. */
export const MAX_BASELINE_MINUTES = 60;

/** The policy's vars, each with its default. */
export const POLICY_VARS = {
  /** Seconds of the fast window (catches a colour failing outright). */
  FAST_WINDOW_SECONDS: intVar({ default: 10, min: 1, max: MAX_WINDOW_SECONDS }),
  /** Seconds of the slow window (catches a colour failing a little). */
  SLOW_WINDOW_SECONDS: intVar({ default: 60, min: 1, max: MAX_WINDOW_SECONDS }),
  /** Requests a window needs before it is judged. */
  MIN_REQUESTS: intVar({ default: 20, min: 1 }),
  /** A window fails when the 95% Wilson lower bound of its error rate is above this. */
  MAX_ERROR_RATE: rateVar({ default: 0.05, belowOne: true }),
  /** p99 threshold in ms; unset: no latency rule. */
  MAX_P99_MS: positiveVar({
    default: null,
    max: OVERFLOW_BOUND_MS,
    hint: "leave it unset to turn the latency rule off",
    maxHint: "the last latency bucket: p99 above it cannot be measured",
  }),
  /** Also guard `stable` (rollback to a healthy standby). */
  GUARD_STABLE: boolVar({ default: false }),
  /** Seconds a flipped-to colour must stay healthy before it is stable. */
  BAKE_SECONDS: intVar({ default: 120, min: 1 }),
  /** Seconds between the controller's health probes. */
  HEALTH_INTERVAL_SECONDS: intVar({ default: 10, min: 1 }),
  /** `on`: a bake also fails on prediction drift against the baseline; `off`: never judged. */
  DRIFT_GUARD: enumVar(["on", "off"], { default: "on" }),
  /** Drift is proven when the chi-square test's p-value is below this. */
  DRIFT_P_VALUE: positiveVar({ default: 0.000001, max: 0.05, hint: "a p-value, e.g. 0.000001", maxHint: "a drift proven at p = 0.05 is proven on noise in some bake" }),
  /** …and large when the total variation distance between the label mixes (its 99.9% lower bound) is at least this. */
  MAX_LABEL_SHIFT: positiveVar({ default: 0.09, max: 1, hint: "a total variation distance, from 0 to 1", maxHint: "a total variation distance is at most 1" }),
  /** Minutes of the outgoing colour's answers frozen as the bake's baseline at a flip. */
  BASELINE_MINUTES: intVar({ default: 10, min: 1, max: MAX_BASELINE_MINUTES }),
  /** Predictions the baseline needs; with fewer, drift is not measured in that bake. */
  MIN_BASELINE_PREDICTIONS: intVar({ default: 200, min: 1 }),
};
export type PolicyVarName = keyof typeof POLICY_VARS;
/** The policy vars of an env, as strings. */
export type PolicyEnv = EnvStrings<typeof POLICY_VARS>;

const seconds = z.int().check(z.gte(1), z.lte(MAX_WINDOW_SECONDS));

/** The policy the controller runs (and /admin/status shows). */
export const RolloutPolicy = z
  .strictObject({
    fastWindowSeconds: seconds,
    slowWindowSeconds: seconds,
    minRequests: z.int().check(z.gte(1)),
    maxErrorRate: z.number().check(z.gte(0), z.lt(1)),
    /** null: no latency rule. At most the last finite histogram bound, above which p99 cannot be measured. */
    maxP99Ms: z.nullable(z.number().check(z.positive(), z.lte(OVERFLOW_BOUND_MS))),
    guardStable: z.boolean(),
    bakeSeconds: z.int().check(z.gte(1)),
    healthIntervalSeconds: z.int().check(z.gte(1)),
    /** Whether prediction drift is judged during a bake (DRIFT_GUARD=on). */
    driftGuard: z.boolean(),
    driftPValue: z.number().check(z.positive(), z.lte(0.05)),
    maxLabelShift: z.number().check(z.positive(), z.lte(1)),
    baselineMinutes: z.int().check(z.gte(1), z.lte(MAX_BASELINE_MINUTES)),
    minBaselinePredictions: z.int().check(z.gte(1)),
  })
  .check(
    z.refine((p) => p.slowWindowSeconds >= p.fastWindowSeconds, {
      message: "slowWindowSeconds must be at least fastWindowSeconds",
      path: ["slowWindowSeconds"],
    }),
  );
export type RolloutPolicy = z.infer<typeof RolloutPolicy>;

/** What the rollback rule concludes of a colour's windows. */
export const VERDICTS = ["healthy", "failed", "inconclusive"] as const;
/** What the controller does about it. */
export const VERDICT_ACTIONS = ["none", "rollback"] as const;
/** What the prediction-drift rule concludes: as VERDICTS, or not judged (outside a bake, or DRIFT_GUARD=off). */
export const DRIFT_VERDICTS = ["healthy", "failed", "inconclusive", "not_judged"] as const;

/** What the ConfigError of a bad policy says it was reading. */
export const POLICY_WHAT = "rollout policy";

/** Reads the rollout policy from env vars (unset or blank → default); throws ConfigError naming every bad var. */
export function policyFromEnv(env: object): RolloutPolicy {
  const e = parseEnv(POLICY_WHAT, POLICY_VARS, env);
  const raw = env as PolicyEnv;
  if (e.SLOW_WINDOW_SECONDS < e.FAST_WINDOW_SECONDS) {
    throw new ConfigError(POLICY_WHAT, [
      {
        variable: "SLOW_WINDOW_SECONDS",
        message: `must be at least FAST_WINDOW_SECONDS (${e.FAST_WINDOW_SECONDS})`,
        shown: raw.SLOW_WINDOW_SECONDS === undefined ? `(default ${e.SLOW_WINDOW_SECONDS})` : shownValue(raw.SLOW_WINDOW_SECONDS, false),
      },
    ]);
  }
  return {
    fastWindowSeconds: e.FAST_WINDOW_SECONDS,
    slowWindowSeconds: e.SLOW_WINDOW_SECONDS,
    minRequests: e.MIN_REQUESTS,
    maxErrorRate: e.MAX_ERROR_RATE,
    maxP99Ms: e.MAX_P99_MS,
    guardStable: e.GUARD_STABLE,
    bakeSeconds: e.BAKE_SECONDS,
    healthIntervalSeconds: e.HEALTH_INTERVAL_SECONDS,
    driftGuard: e.DRIFT_GUARD === "on",
    driftPValue: e.DRIFT_P_VALUE,
    maxLabelShift: e.MAX_LABEL_SHIFT,
    baselineMinutes: e.BASELINE_MINUTES,
    minBaselinePredictions: e.MIN_BASELINE_PREDICTIONS,
  };
}

/** The policy with every var unset. */
export const DEFAULT_POLICY: RolloutPolicy = policyFromEnv({});
