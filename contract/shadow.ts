/**
 * Shadow traffic (docs/architecture.md "Shadow traffic"): the body of
 * POST /admin/shadow, the vars of the router's mirror and of the shadow
 * gate with their defaults, and the `shadow` block of GET /admin/status
 * (also the answer of the shadow routes). The mirror's per-second counts
 * are telemetry.ts's ShadowCounts.
 */
import * as z from "zod/mini";
import { Color } from "./colors.js";
import { ConfigError, intVar, parseEnv, positiveVar, rateVar, type EnvStrings } from "./env.js";
import { IsoTime } from "./history.js";
import "./zod-messages.js";

/** Default and longest shadowing, in seconds. */
export const DEFAULT_SHADOW_SECONDS = 600;
export const MAX_SHADOW_SECONDS = 86_400;

/**
 * p99s below this count as this much in the shadow gate's latency ratio, as
 * in `bluegreen validate` (control/src/validate/gates.ts P99_RATIO_FLOOR_MS):
 * between such small values a ratio measures scheduler jitter, not the model.
 */
export const SHADOW_P99_FLOOR_MS = 50;

/** The router's vars for the mirror (read by every isolate). */
export const SHADOW_ROUTER_VARS = {
  /** Mirrors one isolate keeps in flight at most; a sampled request over it is counted as dropped. */
  SHADOW_MAX_IN_FLIGHT: intVar({ default: 16, min: 1, max: 1_000 }),
  /** How long a mirror may take, answer and body; past it the standby's answer counts as a timeout. */
  SHADOW_TIMEOUT_MS: intVar({ default: 2_000, min: 1, max: 25_000 }),
};

/** The shadow gate's vars (read by the controller; MAX_ERROR_RATE is the rollout policy's). */
export const SHADOW_GATE_VARS = {
  /** Item comparisons the gate needs before it passes anything. */
  MIN_SHADOW_COMPARISONS: intVar({ default: 200, min: 1 }),
  /** The 95% Wilson lower bound of the agreement must be at least this (calibration: docs/rollback-policy.md "Shadow gate"). */
  MIN_SHADOW_AGREEMENT: rateVar({ default: 0.7 }),
  /** The standby's p99 may be at most this many times the active's over the same requests (both floored at 50 ms). */
  MAX_SHADOW_P99_RATIO: positiveVar({ default: 1.5, max: 100, hint: "a ratio, e.g. 1.5" }),
};

/** Every shadow var, by name. */
export const SHADOW_VARS = { ...SHADOW_ROUTER_VARS, ...SHADOW_GATE_VARS };
export type ShadowEnv = EnvStrings<typeof SHADOW_VARS>;

/** What ConfigErrors of the shadow vars say they were reading. */
export const SHADOW_WHAT = "shadow settings";

/** The mirror's settings. */
export interface ShadowRouterSettings {
  maxInFlight: number;
  timeoutMs: number;
}

/** Reads the mirror's vars; throws ConfigError. */
export function shadowRouterFromEnv(env: object): ShadowRouterSettings {
  const v = parseEnv(SHADOW_WHAT, SHADOW_ROUTER_VARS, env);
  return { maxInFlight: v.SHADOW_MAX_IN_FLIGHT, timeoutMs: v.SHADOW_TIMEOUT_MS };
}

/** The shadow gate's thresholds (as status shows them). */
export const ShadowGateSettings = z.strictObject({
  minComparisons: z.int().check(z.gte(1)),
  minAgreement: z.number().check(z.gte(0), z.lte(1)),
  maxErrorRate: z.number().check(z.gte(0), z.lt(1)),
  maxP99Ratio: z.number().check(z.positive()),
  p99FloorMs: z.number().check(z.positive()),
});
export type ShadowGateSettings = z.infer<typeof ShadowGateSettings>;

/** Reads the gate's vars, with the policy's MAX_ERROR_RATE; throws ConfigError. */
export function shadowGateFromEnv(env: object, maxErrorRate: number): ShadowGateSettings {
  const v = parseEnv(SHADOW_WHAT, SHADOW_GATE_VARS, env);
  return {
    minComparisons: v.MIN_SHADOW_COMPARISONS,
    minAgreement: v.MIN_SHADOW_AGREEMENT,
    maxErrorRate,
    maxP99Ratio: v.MAX_SHADOW_P99_RATIO,
    p99FloorMs: SHADOW_P99_FLOOR_MS,
  };
}

/** Checks every shadow var; the ConfigError's problems, or none. */
export function shadowEnvProblems(env: object): ConfigError | null {
  try {
    parseEnv(SHADOW_WHAT, SHADOW_VARS, env);
    return null;
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
}

/** POST /admin/shadow: mirror `sample` (0..1) of the predictions to the standby for `seconds` (default 600). */
export const ShadowStartBody = z.strictObject({
  sample: z.number().check(z.gte(0), z.lte(1)),
  seconds: z.optional(z.int().check(z.gte(1), z.lte(MAX_SHADOW_SECONDS))),
  reason: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(500))),
});
export type ShadowStartBody = z.infer<typeof ShadowStartBody>;

/** What the shadow gate concludes. */
export const SHADOW_VERDICTS = ["passed", "failed", "could_not_measure"] as const;
export type ShadowVerdictName = (typeof SHADOW_VERDICTS)[number];

/** How a shadowing ended: stopped by an operator, ran out its time, or cut by a flip or rollback (any epoch change). */
export const SHADOW_ENDINGS = ["stopped", "expired", "epoch_changed"] as const;
export type ShadowEnding = (typeof SHADOW_ENDINGS)[number];

const count = z.int().check(z.nonnegative());
const ms = z.nullable(z.number().check(z.nonnegative()));
const share = z.nullable(z.number().check(z.gte(0), z.lte(1)));

/** One point of the agreement over time (10-second steps). */
export const ShadowPoint = z.strictObject({ at: IsoTime, compared: count, agreed: count });
export type ShadowPoint = z.infer<typeof ShadowPoint>;

/** The last (or current) shadowing: its settings, its counts, the comparison and the gate's verdict on it. */
export const ShadowView = z.strictObject({
  /** Whether mirroring is on now. */
  running: z.boolean(),
  sample: z.number().check(z.gte(0), z.lte(1)),
  reason: z.string(),
  actor: z.string(),
  /** The colour answering users, and the one shadowed; the epoch it belongs to. */
  active: Color,
  standby: Color,
  epoch: count,
  startedAt: IsoTime,
  endsAt: IsoTime,
  endedAt: z.nullable(IsoTime),
  endedBy: z.nullable(z.enum(SHADOW_ENDINGS)),
  sent: count,
  /** Items whose labels were compared, and how many agreed. */
  compared: count,
  agreed: count,
  dropped: count,
  /** The standby's failures (5xx, timeouts, connect errors) and its other non-2xx answers. */
  errors: z.strictObject({ http5xx: count, timeout: count, connect: count, total: count, otherStatus: count }),
  /** Standby items that were not valid predictions while the active's were (counted in `compared`, never agreeing). */
  unparseable: count,
  /** agreed / compared, with its 95% Wilson interval; null rate when nothing was compared. */
  agreement: z.strictObject({ rate: share, lower: z.number(), upper: z.number() }),
  /** Mean |Δconfidence| over items where both colours reported one; null when none did. */
  meanConfidenceDelta: share,
  /** p50/p99 of each colour over the same mirrored requests. */
  latency: z.strictObject({
    active: z.strictObject({ p50Ms: ms, p99Ms: ms }),
    standby: z.strictObject({ p50Ms: ms, p99Ms: ms }),
  }),
  verdict: z.enum(SHADOW_VERDICTS),
  verdictReason: z.string(),
  gate: ShadowGateSettings,
  /** Agreement over time, oldest first (the dashboard's chart). */
  series: z.array(ShadowPoint),
});
export type ShadowView = z.infer<typeof ShadowView>;

/** The answer of GET, POST and DELETE /admin/shadow: the last shadowing, or null when there never was one. */
export const ShadowAnswer = z.strictObject({ shadow: z.nullable(ShadowView) });
export type ShadowAnswer = z.infer<typeof ShadowAnswer>;
