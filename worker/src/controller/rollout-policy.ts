/**
 * The rollout policy (DESIGN.md §4): the two windows, the thresholds that
 * fail them, the bake length and the health-probe cadence. Parsed once from
 * the Worker's env vars, with an error that names every bad variable.
 */
import { z } from "zod";
import { OVERFLOW_BOUND_MS } from "./histogram.js";

/** Longest window the controller keeps (bounds the ring's memory and storage). */
export const MAX_WINDOW_SECONDS = 3600;

export const RolloutPolicy = z
  .object({
    fastWindowSeconds: z.int().min(1).max(MAX_WINDOW_SECONDS),
    slowWindowSeconds: z.int().min(1).max(MAX_WINDOW_SECONDS),
    minRequests: z.int().min(1),
    /** A window fails when the 95% Wilson lower bound of its error rate is above this. */
    maxErrorRate: z.number().min(0).lt(1),
    /** null: no latency rule. At most the last finite histogram bound, above which p99 cannot be measured. */
    maxP99Ms: z.number().positive().max(OVERFLOW_BOUND_MS).nullable(),
    /** Also guard `stable` (rollback to a healthy standby). */
    guardStable: z.boolean(),
    bakeSeconds: z.int().min(1),
    healthIntervalSeconds: z.int().min(1),
  })
  .refine((p) => p.slowWindowSeconds >= p.fastWindowSeconds, {
    message: "slowWindowSeconds must be at least fastWindowSeconds",
    path: ["slowWindowSeconds"],
  });
export type RolloutPolicy = z.infer<typeof RolloutPolicy>;

/** The policy with every env var unset (DESIGN.md §4 defaults). */
export const DEFAULT_POLICY: RolloutPolicy = {
  fastWindowSeconds: 10,
  slowWindowSeconds: 60,
  minRequests: 20,
  maxErrorRate: 0.05,
  maxP99Ms: null,
  guardStable: false,
  bakeSeconds: 120,
  healthIntervalSeconds: 10,
};

/** The env vars the policy reads. */
export const POLICY_ENV_KEYS = [
  "FAST_WINDOW_SECONDS",
  "SLOW_WINDOW_SECONDS",
  "MIN_REQUESTS",
  "MAX_ERROR_RATE",
  "MAX_P99_MS",
  "GUARD_STABLE",
  "BAKE_SECONDS",
  "HEALTH_INTERVAL_SECONDS",
] as const;
export type PolicyEnv = Partial<Record<(typeof POLICY_ENV_KEYS)[number], string | undefined>>;

/** Thrown by policyFromEnv; `issues` has one "VAR: what is wrong (got …)" line per bad variable. */
export class PolicyConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid rollout policy: ${issues.join("; ")}`);
    this.name = "PolicyConfigError";
  }
}

// Unset or blank means "use the default" (wrangler vars are strings; "" is how a var is left empty).
const blankToUndefined = (v: unknown): unknown =>
  typeof v === "string" ? (v.trim() === "" ? undefined : v.trim()) : v;

function wholeNumber(fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) {
  return z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\d+$/, { error: "must be a whole number" })
      .transform(Number)
      .pipe(
        z
          .int()
          .min(min, { error: `must be at least ${min}` })
          .max(max, { error: `must be at most ${max}` }),
      )
      .default(fallback),
  );
}

const decimal = z.string().regex(/^(\d+\.?\d*|\.\d+)$/, { error: "must be a number" }).transform(Number);

const PolicyEnvSchema = z
  .object({
    FAST_WINDOW_SECONDS: wholeNumber(DEFAULT_POLICY.fastWindowSeconds, 1, MAX_WINDOW_SECONDS),
    SLOW_WINDOW_SECONDS: wholeNumber(DEFAULT_POLICY.slowWindowSeconds, 1, MAX_WINDOW_SECONDS),
    MIN_REQUESTS: wholeNumber(DEFAULT_POLICY.minRequests, 1),
    MAX_ERROR_RATE: z.preprocess(
      blankToUndefined,
      decimal
        .pipe(z.number().min(0, { error: "must be from 0 to 1" }).lt(1, { error: "must be below 1 (a rate, not a percentage)" }))
        .default(DEFAULT_POLICY.maxErrorRate),
    ),
    MAX_P99_MS: z.preprocess(
      blankToUndefined,
      decimal
        .pipe(
          z
            .number()
            .positive({ error: "must be above 0 (leave empty to turn the latency rule off)" })
            .max(OVERFLOW_BOUND_MS, {
              error: `must be at most ${OVERFLOW_BOUND_MS} (the last latency bucket; p99 above it cannot be measured)`,
            }),
        )
        .nullable()
        .default(null),
    ),
    GUARD_STABLE: z.preprocess(
      (v) => (typeof v === "string" ? blankToUndefined(v.toLowerCase()) : v),
      z
        .enum(["true", "false"], { error: 'must be "true" or "false"' })
        .transform((s) => s === "true")
        .default(DEFAULT_POLICY.guardStable),
    ),
    BAKE_SECONDS: wholeNumber(DEFAULT_POLICY.bakeSeconds, 1),
    HEALTH_INTERVAL_SECONDS: wholeNumber(DEFAULT_POLICY.healthIntervalSeconds, 1),
  });

/** Parses the rollout policy from env vars (unset or empty → default); throws PolicyConfigError. */
export function policyFromEnv(env: PolicyEnv): RolloutPolicy {
  const picked = Object.fromEntries(POLICY_ENV_KEYS.map((k) => [k, env[k]]));
  const parsed = PolicyEnvSchema.safeParse(picked);
  if (!parsed.success) {
    throw new PolicyConfigError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? "env") as (typeof POLICY_ENV_KEYS)[number];
        const got = env[key];
        return `${key} ${issue.message} (got ${JSON.stringify(got)})`;
      }),
    );
  }
  const e = parsed.data;
  if (e.SLOW_WINDOW_SECONDS < e.FAST_WINDOW_SECONDS) {
    throw new PolicyConfigError([
      `SLOW_WINDOW_SECONDS (${e.SLOW_WINDOW_SECONDS}) must be at least FAST_WINDOW_SECONDS (${e.FAST_WINDOW_SECONDS})`,
    ]);
  }
  return RolloutPolicy.parse({
    fastWindowSeconds: e.FAST_WINDOW_SECONDS,
    slowWindowSeconds: e.SLOW_WINDOW_SECONDS,
    minRequests: e.MIN_REQUESTS,
    maxErrorRate: e.MAX_ERROR_RATE,
    maxP99Ms: e.MAX_P99_MS,
    guardStable: e.GUARD_STABLE,
    bakeSeconds: e.BAKE_SECONDS,
    healthIntervalSeconds: e.HEALTH_INTERVAL_SECONDS,
  });
}

/** What policyWithFallbacks answers: the policy to run with, and the bad vars it replaced (empty when all parse). */
export interface FallbackPolicy {
  policy: RolloutPolicy;
  issues: string[];
}

/**
 * The policy for what must keep running on a misconfigured Worker (the
 * probe schedule, the windows, status): every var that parses on its own is
 * kept, each bad one falls back to its default, and `issues` names them
 * (policyFromEnv's lines). Should the kept vars still conflict, all defaults.
 */
export function policyWithFallbacks(env: PolicyEnv): FallbackPolicy {
  try {
    return { policy: policyFromEnv(env), issues: [] };
  } catch (err) {
    if (!(err instanceof PolicyConfigError)) throw err;
    const kept: PolicyEnv = {};
    for (const key of POLICY_ENV_KEYS) {
      try {
        policyFromEnv({ [key]: env[key] });
        kept[key] = env[key];
      } catch {
        // This var is one of the issues; its default stands in.
      }
    }
    let policy = DEFAULT_POLICY;
    try {
      policy = policyFromEnv(kept);
    } catch {
      // The vars that parse alone conflict (slow window below the fast one): defaults throughout.
    }
    return { policy, issues: err.issues };
  }
}
