/**
 * The rollback rule (docs/rollback-policy.md) as pure
 * functions: `assessWindow` judges one window, `assessRollout` decides the
 * verdict (with the prediction-drift rule of drift-rule.ts during a bake) and
 * whether to roll back now, `assessBake` whether the bake is over. The
 * Durable Object stores state, calls these and acts on the answer.
 *
 * "Could not measure" (inconclusive) is never "measured bad" (failed): only a
 * failed window can roll back, and only an explicitly healthy one lets the
 * bake pass.
 */
import { otherColor, type Color } from "../../../contract/colors.js";
import type { LabelCounts } from "../../../contract/labels.js";
import type { RolloutPolicy } from "../../../contract/policy.js";
import type { HealthStatus, Phase } from "../../../contract/routing.js";
import type { WindowMetrics } from "../../../contract/status.js";
import type { Baseline } from "./baseline.js";
import { assessDrift, type DriftAssessment } from "./drift-rule.js";
import { countAboveMs, histogramCount } from "./histogram.js";
import type { SecondTotals } from "./metric-windows.js";
import { wilsonInterval } from "./wilson.js";

/**
 * A recent suffix of the fast window (its last k seconds) is judged only
 * when it holds at least this many requests (or MIN_REQUESTS, if higher).
 * Many overlapping suffixes are looked at on every report; at 100 requests a
 * suffix needs 10 errors to fail, which a healthy 1%-error colour shows with
 * a probability of about 10⁻⁷ (docs/rollback-policy.md, "Recent suffixes").
 */
export const MIN_SUFFIX_REQUESTS = 100;

/** The share of requests a p99 leaves above it: p99 > MAX_P99_MS is proven when more than this share is proven slower. */
export const P99_SLOW_SHARE = 0.01;

export type Verdict = "healthy" | "failed" | "inconclusive";
export type WindowName = "fast" | "slow";

/** The last `seconds` seconds of the fast window, when they failed on their own. */
export interface SuffixAssessment {
  seconds: number;
  requests: number;
  errors: number;
  errorRateLowerBound: number;
}

export interface WindowAssessment {
  window: WindowName;
  verdict: Verdict;
  /** The rules a failed window broke; empty otherwise. */
  failedOn: ("error_rate" | "p99")[];
  /** 95% Wilson interval of the error rate; null with no requests. */
  errorRateLowerBound: number | null;
  errorRateUpperBound: number | null;
  /** The failing recent suffix with the highest lower bound, when the error-rate rule failed on a suffix only. */
  suffix: SuffixAssessment | null;
  metrics: WindowMetrics;
  reason: string;
}

export interface RolloutInput {
  phase: Phase;
  /** The colour serving production; the rollback target is always the other one. */
  active: Color;
  /** Both windows of the active colour (MetricWindows.summarize). */
  windows: { fast: WindowMetrics; slow: WindowMetrics };
  /** Per-second totals of the fast window (MetricWindows.secondTotals), for the recent-suffix rule; none: not judged. */
  recent?: readonly SecondTotals[] | undefined;
  policy: RolloutPolicy;
  health: Record<Color, HealthStatus>;
  /** False once an automatic rollback happened, until the next manual flip. */
  autoRollbackArmed: boolean;
  /**
   * What the drift rule reads (drift-rule.ts): the routing state's epoch, the
   * bake's baseline and the active colour's predictions in both windows.
   * None: drift is not judged.
   */
  drift?: { epoch: number; baseline: Baseline | null; labels: { fast: LabelCounts; slow: LabelCounts } } | undefined;
}

export interface Assessment {
  verdict: Verdict;
  action: "none" | "rollback";
  /** The colour to flip to when action is "rollback", else null. */
  rollbackTo: Color | null;
  reason: string;
  /** The first failed window (fast before slow; the error and latency rules before drift), when the verdict is failed. */
  window?: WindowName;
  measurements: { fast: WindowAssessment; slow: WindowAssessment };
  /** The prediction-drift rule's verdict (not_judged outside a bake). */
  drift: DriftAssessment;
}

const NO_LABEL_DATA: DriftAssessment = { verdict: "not_judged", window: null, baselinePredictions: null, measurements: null, reason: "drift: not judged (no label data given)" };

/** Percentage with one decimal: 0.1667 → "16.7%". */
function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function ms(x: number): string {
  return `${Math.round(x)}ms`;
}

// The failing suffix (last k seconds, k = 1…) with the highest lower bound, or null.
function failingSuffix(recent: readonly SecondTotals[], policy: RolloutPolicy): SuffixAssessment | null {
  const minRequests = Math.max(MIN_SUFFIX_REQUESTS, policy.minRequests);
  const newestFirst = [...recent].sort((a, b) => b.second - a.second);
  let worst: SuffixAssessment | null = null;
  let requests = 0;
  let errors = 0;
  for (const s of newestFirst) {
    requests += s.requests;
    errors += Math.min(s.errors, s.requests);
    if (requests < minRequests) continue;
    const lower = wilsonInterval(errors, requests).lower;
    if (lower > policy.maxErrorRate && (worst === null || lower > worst.errorRateLowerBound)) {
      worst = { seconds: newestFirst[0]!.second - s.second + 1, requests, errors, errorRateLowerBound: lower };
    }
  }
  return worst;
}

/**
 * Judges one window: inconclusive below MIN_REQUESTS; failed on a confident
 * error rate — of the whole window, or of one of its recent suffixes when
 * `recent` (its per-second totals) is given — or on a confident p99 breach
 * (more than 1% of requests proven slower than MAX_P99_MS); else healthy.
 */
export function assessWindow(
  window: WindowName,
  metrics: WindowMetrics,
  policy: RolloutPolicy,
  recent: readonly SecondTotals[] = [],
): WindowAssessment {
  const label = `${window} window (${metrics.seconds}s)`;
  const { requests } = metrics;
  const errors = Math.min(metrics.errors.total, requests);
  const bounds = requests === 0 ? null : wilsonInterval(errors, requests);
  const base = {
    window,
    metrics,
    errorRateLowerBound: bounds?.lower ?? null,
    errorRateUpperBound: bounds?.upper ?? null,
    suffix: null,
  };
  if (requests < policy.minRequests) {
    return {
      ...base,
      verdict: "inconclusive",
      failedOn: [],
      reason: `${label}: could not measure, ${requests} < ${policy.minRequests} requests`,
    };
  }
  const lower = bounds!.lower;
  const errorPart = `${errors}/${requests} errors, error-rate lower bound ${pct(lower)}`;
  const p99 = metrics.p99Ms;
  const failedOn: WindowAssessment["failedOn"] = [];
  const broken: string[] = [];
  // A failure that began inside the window is not diluted by the healthy part of it.
  const suffix = lower > policy.maxErrorRate ? null : failingSuffix(recent, policy);
  if (lower > policy.maxErrorRate) {
    failedOn.push("error_rate");
    broken.push(`${errorPart} > ${pct(policy.maxErrorRate)}`);
  } else if (suffix !== null) {
    failedOn.push("error_rate");
    broken.push(
      `last ${suffix.seconds}s: ${suffix.errors}/${suffix.requests} errors, error-rate lower bound ${pct(suffix.errorRateLowerBound)} > ${pct(policy.maxErrorRate)}`,
    );
  }
  // Latency, with the same care as errors: p99 above MAX_P99_MS counts only when more than 1%
  // of the window's requests are slower with 95% confidence — one slow request in 50 is no proof.
  let latencyPart = p99 === null ? "no latency data" : policy.maxP99Ms === null ? `p99 ${ms(p99)}` : `p99 ${ms(p99)} ≤ ${ms(policy.maxP99Ms)}`;
  if (policy.maxP99Ms !== null && p99 !== null && p99 > policy.maxP99Ms) {
    const observed = histogramCount(metrics.latency);
    const slow = countAboveMs(metrics.latency, policy.maxP99Ms);
    const slowLower = observed === 0 ? 0 : wilsonInterval(Math.min(slow, observed), observed).lower;
    const slowPart = `${slow}/${observed} requests slower than ${ms(policy.maxP99Ms)}, lower bound ${pct(slowLower)}`;
    if (slowLower > P99_SLOW_SHARE) {
      failedOn.push("p99");
      broken.push(`p99 ${ms(p99)} > ${ms(policy.maxP99Ms)} (${slowPart} > ${pct(P99_SLOW_SHARE)})`);
    } else {
      latencyPart = `p99 ${ms(p99)} > ${ms(policy.maxP99Ms)} not proven (${slowPart} ≤ ${pct(P99_SLOW_SHARE)})`;
    }
  }
  if (failedOn.length > 0) return { ...base, suffix, verdict: "failed", failedOn, reason: `${label}: ${broken.join(", ")}` };
  return {
    ...base,
    verdict: "healthy",
    failedOn,
    reason: `${label}: ${errorPart} ≤ ${pct(policy.maxErrorRate)}, ${latencyPart}`,
  };
}

// Why a failed verdict does not roll back, or null when it does.
function refusal(input: RolloutInput, target: Color): string | null {
  const { phase, policy, health, autoRollbackArmed } = input;
  if (phase === "rolled_back") return "already rolled back (phase rolled_back): no automatic action";
  if (phase === "stable" && !policy.guardStable) return "phase stable and GUARD_STABLE is off: no automatic rollback";
  if (!autoRollbackArmed) {
    return "automatic rollback disarmed: one already happened since the last manual flip";
  }
  // During a bake the target was serving moments ago (last known good): roll back unless it is known
  // unhealthy. A stable standby may be anything, so GUARD_STABLE needs it positively healthy.
  if (health[target] === "unhealthy") return `not rolling back: ${target} is unhealthy`;
  if (phase === "stable" && health[target] !== "healthy") {
    return `not rolling back: standby ${target} health is ${health[target]} and GUARD_STABLE needs it healthy`;
  }
  return null;
}

/**
 * Decides the active colour's verdict from both windows — errors and latency,
 * and during a bake the prediction drift against the baseline — and whether
 * to roll back now. Drift can only fail a colour: a bake that could not
 * measure it is judged on errors and latency alone.
 */
export function assessRollout(input: RolloutInput): Assessment {
  const { active, windows, policy } = input;
  for (const w of [windows.fast, windows.slow]) {
    if (w.color !== active) throw new Error(`window metrics are for ${w.color}, but ${active} is active`);
  }
  const fast = assessWindow("fast", windows.fast, policy, input.recent);
  const slow = assessWindow("slow", windows.slow, policy);
  const measurements = { fast, slow };
  const drift =
    input.drift === undefined
      ? NO_LABEL_DATA
      : assessDrift(
          { phase: input.phase, epoch: input.drift.epoch, baseline: input.drift.baseline, windows: input.drift.labels, policy },
          { fast: windows.fast.seconds, slow: windows.slow.seconds },
        );
  const failed = [fast, slow].filter((w) => w.verdict === "failed");
  if (failed.length === 0 && drift.verdict !== "failed") {
    // Healthy if any window measured healthy: at low traffic only the slow window holds enough requests.
    const verdict: Verdict = fast.verdict === "healthy" || slow.verdict === "healthy" ? "healthy" : "inconclusive";
    return { verdict, action: "none", rollbackTo: null, reason: `${fast.reason}; ${slow.reason}`, measurements, drift };
  }
  const target = otherColor(active);
  const why = [...failed.map((w) => w.reason), ...(drift.verdict === "failed" ? [drift.reason] : [])].join("; ");
  const refused = refusal(input, target);
  return {
    verdict: "failed",
    action: refused === null ? "rollback" : "none",
    rollbackTo: refused === null ? target : null,
    reason: `${why}; ${refused ?? `rolling back to ${target}`}`,
    window: failed[0]?.window ?? drift.window ?? undefined,
    measurements,
    drift,
  };
}

export interface BakeInput {
  phase: Phase;
  /** When the bake may end: the flip's time + BAKE_SECONDS (bakeDeadlineFor()). */
  bakeDeadlineMs: number;
  nowMs: number;
  /** Verdict of the latest assessRollout. */
  lastVerdict: Verdict;
}

/**
 * `continue`: before the deadline. `passed`: deadline reached and measured
 * healthy → phase stable. `hold`: deadline reached but failing or not
 * measurable → stay baking (still guarded). `not_baking`: nothing to do.
 */
export type BakeOutcome = "not_baking" | "continue" | "passed" | "hold";

export interface BakeAssessment {
  outcome: BakeOutcome;
  reason: string;
}

/** The bake deadline (unix ms) for a flip at `flipAtMs`: BAKE_SECONDS later. */
export function bakeDeadlineFor(flipAtMs: number, policy: RolloutPolicy): number {
  return flipAtMs + policy.bakeSeconds * 1000;
}

/** Decides whether the bake ends now: only a measured-healthy colour passes. */
export function assessBake(input: BakeInput): BakeAssessment {
  const { phase, bakeDeadlineMs, nowMs, lastVerdict } = input;
  if (phase !== "baking") return { outcome: "not_baking", reason: `phase ${phase}: no bake in progress` };
  if (nowMs < bakeDeadlineMs) {
    return { outcome: "continue", reason: `baking: ${Math.ceil((bakeDeadlineMs - nowMs) / 1000)}s left` };
  }
  switch (lastVerdict) {
    case "healthy":
      return { outcome: "passed", reason: "bake passed: measured healthy at the end of the bake" };
    case "failed":
      return { outcome: "hold", reason: "bake time is up but the active colour is failing: still baking" };
    case "inconclusive":
      return { outcome: "hold", reason: "bake time is up but there was too little traffic to measure: still baking" };
  }
}
