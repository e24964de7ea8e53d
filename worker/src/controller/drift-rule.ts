/**
 * The prediction-drift rule (docs/rollback-policy.md "Prediction drift"),
 * pure, beside the error and latency rules: during a bake, is the new
 * colour's label mix drawn from another distribution than the baseline's,
 * and by a lot? The slow window (cut at the flip, so it holds every
 * prediction since the flip for its first SLOW_WINDOW_SECONDS) fails only
 * when both hold:
 *
 * - proven: Pearson's chi-square test of homogeneity between the window's
 *   and the baseline's category counts (labels, `other`, `unparseable`)
 *   gives p < DRIFT_P_VALUE, with at least MIN_REQUESTS predictions in the
 *   window;
 * - large: the total variation distance between the two mixes is at least
 *   MAX_LABEL_SHIFT, and so is its one-sided 99.9% lower confidence bound
 *   (TVD − 3.09·SE). A legitimate release shifts the mix a little (v1 → v2:
 *   0.058 on the golden set), which enough traffic proves beyond any p; the
 *   size keeps it from failing, and the bound keeps the first seconds'
 *   noisy estimates from passing for a large shift.
 *
 * The fast window is measured and shown, never failed on: a 10-second mix
 * looked at every second of a bake is noisy enough that a legitimate
 * release would be rolled back in about 1 bake in 200 at 10 predictions/s
 * (`npm run sim:drift`, docs/rollback-policy.md), and the slow window sees
 * the same first seconds anyway.
 *
 * "Could not measure" is never "failed": without a baseline for this bake,
 * with fewer than MIN_BASELINE_PREDICTIONS in it, or with fewer than
 * MIN_REQUESTS predictions in every window, the verdict is inconclusive and
 * says why. Outside a bake, or with DRIFT_GUARD=off, drift is not judged.
 */
import { predictionTotal, type LabelCounts } from "../../../contract/labels.js";
import type { DRIFT_VERDICTS, RolloutPolicy } from "../../../contract/policy.js";
import type { Phase } from "../../../contract/routing.js";
import { categories, type Baseline } from "./baseline.js";
import { homogeneityTest } from "./chi-square.js";

export type DriftVerdict = (typeof DRIFT_VERDICTS)[number];
export type DriftWindowName = "fast" | "slow";

/** The category that moved most: its share in the window and in the baseline. */
export interface LabelShift {
  label: string;
  share: number;
  baselineShare: number;
}

/** One window against the baseline. */
export interface DriftWindowAssessment {
  window: DriftWindowName;
  verdict: Exclude<DriftVerdict, "not_judged">;
  /** Predictions in the window (labelled and unparseable). */
  predictions: number;
  /** Total variation distance between the window's mix and the baseline's; null when not measured. */
  tvd: number | null;
  /** Its one-sided lower confidence bound (DRIFT_TVD_Z); null when not measured. */
  tvdLowerBound: number | null;
  /** The chi-square test's p-value; null when not measured. */
  pValue: number | null;
  shift: LabelShift | null;
  reason: string;
}

/** What the rule concludes. */
export interface DriftAssessment {
  verdict: DriftVerdict;
  /** The first failed window (fast before slow), when failed. */
  window: DriftWindowName | null;
  /** Predictions in the baseline; null without one. */
  baselinePredictions: number | null;
  /** Both windows, when the baseline could be used. */
  measurements: { fast: DriftWindowAssessment; slow: DriftWindowAssessment } | null;
  reason: string;
}

/** What the rule reads. */
export interface DriftInput {
  phase: Phase;
  /** The routing state's epoch: a baseline frozen at another flip belongs to another bake. */
  epoch: number;
  baseline: Baseline | null;
  /** The active colour's predictions in its fast and slow windows, cut at the flip (MetricWindows.labels). */
  windows: { fast: LabelCounts; slow: LabelCounts };
  policy: RolloutPolicy;
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** "0.042", "3.2e-8": a small probability in a few characters. */
function probability(p: number): string {
  return p >= 0.001 ? p.toFixed(3) : p.toExponential(1);
}

/** "p < 1e-12", or "p = 3.2e-8": how a p-value reads in a reason. */
export function pText(p: number): string {
  return p < 1e-12 ? "p < 1e-12" : `p = ${probability(p)}`;
}

/** Every category either mix holds, with its counts in each. */
function aligned(a: LabelCounts, b: LabelCounts): { labels: string[]; a: number[]; b: number[] } {
  const labels: string[] = [];
  const index = new Map<string, number>();
  for (const mix of [a, b]) {
    for (const { label } of categories(mix)) {
      if (!index.has(label)) {
        index.set(label, labels.length);
        labels.push(label);
      }
    }
  }
  const counts = (mix: LabelCounts) => {
    const out = new Array<number>(labels.length).fill(0);
    for (const { label, count } of categories(mix)) out[index.get(label)!] = count;
    return out;
  };
  return { labels, a: counts(a), b: counts(b) };
}

/**
 * z of the TVD's one-sided 99.9% lower confidence bound: calibrated with
 * MAX_LABEL_SHIFT by `npm run sim:drift` (docs/rollback-policy.md).
 */
export const DRIFT_TVD_Z = 3.09;

/**
 * The total variation distance between two mixes, its lower confidence
 * bound, and the category that moved most. The TVD is P(A) − Q(A) for A the
 * categories more frequent in the window than in the baseline, so its
 * standard error is that of a difference of two independent proportions,
 * √(P(A)(1−P(A))/n + Q(A)(1−Q(A))/m) (A taken as fixed: the bound is a
 * little optimistic, which the calibration absorbs).
 */
export function labelShift(window: LabelCounts, baseline: LabelCounts): { tvd: number; tvdLowerBound: number; shift: LabelShift | null } {
  const { labels, a, b } = aligned(window, baseline);
  const na = a.reduce((s, x) => s + x, 0);
  const nb = b.reduce((s, x) => s + x, 0);
  if (na === 0 || nb === 0) return { tvd: 0, tvdLowerBound: 0, shift: null };
  let tvd = 0;
  let pA = 0;
  let qA = 0;
  let shift: LabelShift | null = null;
  for (let i = 0; i < labels.length; i++) {
    const share = a[i]! / na;
    const baselineShare = b[i]! / nb;
    const d = Math.abs(share - baselineShare);
    tvd += d;
    if (share > baselineShare) {
      pA += share;
      qA += baselineShare;
    }
    if (shift === null || d > Math.abs(shift.share - shift.baselineShare)) shift = { label: labels[i]!, share, baselineShare };
  }
  const se = Math.sqrt((pA * (1 - pA)) / na + (qA * (1 - qA)) / nb);
  return { tvd: tvd / 2, tvdLowerBound: Math.max(0, tvd / 2 - DRIFT_TVD_Z * se), shift };
}

/** Judges one window against the baseline; a window not `judged` (the fast one) is measured and never fails. */
export function assessDriftWindow(
  window: DriftWindowName,
  counts: LabelCounts,
  baseline: LabelCounts,
  policy: RolloutPolicy,
  seconds: number,
  judged = true,
): DriftWindowAssessment {
  const label = `${window} window (${seconds}s)`;
  const predictions = predictionTotal(counts);
  if (predictions < policy.minRequests) {
    return {
      window,
      verdict: "inconclusive",
      predictions,
      tvd: null,
      tvdLowerBound: null,
      pValue: null,
      shift: null,
      reason: `${label}: could not measure, ${predictions} < ${policy.minRequests} predictions`,
    };
  }
  const { a, b } = aligned(counts, baseline);
  const { pValue } = homogeneityTest(a, b);
  const { tvd, tvdLowerBound, shift } = labelShift(counts, baseline);
  const moved = shift === null ? "" : `${shift.label} ${pct(shift.share)} vs ${pct(shift.baselineShare)} baseline, `;
  const proven = pValue < policy.driftPValue;
  const large = tvdLowerBound >= policy.maxLabelShift;
  const figures = `${moved}TVD ${tvd.toFixed(2)} (at least ${tvdLowerBound.toFixed(2)}) ${large ? "≥" : "<"} ${policy.maxLabelShift.toFixed(2)}, ${pText(pValue)}`;
  const measured = { window, predictions, tvd, tvdLowerBound, pValue, shift };
  if (proven && large && judged) {
    return { ...measured, verdict: "failed", reason: `prediction drift: ${figures} (${label}: ${predictions} predictions)` };
  }
  const why = !judged ? "shown only, drift is judged on the slow window" : !proven ? `not proven (p ≥ ${probability(policy.driftPValue)})` : "proven but small";
  return { ...measured, verdict: judged ? "healthy" : "inconclusive", reason: `${label}: ${predictions} predictions, ${figures}: ${why}` };
}

/** The drift verdict of a bake: the slow window's (the fast one is measured beside it); not judged outside a bake or when off. */
export function assessDrift(input: DriftInput, seconds: { fast: number; slow: number }): DriftAssessment {
  const { policy, baseline } = input;
  const none = { window: null, measurements: null };
  if (!policy.driftGuard) return { ...none, verdict: "not_judged", baselinePredictions: null, reason: "drift: not judged (DRIFT_GUARD=off)" };
  if (input.phase !== "baking") {
    return { ...none, verdict: "not_judged", baselinePredictions: null, reason: `drift: not judged in phase ${input.phase} (only a bake is compared with the colour it replaced)` };
  }
  if (baseline === null || baseline.epoch !== input.epoch) {
    return { ...none, verdict: "inconclusive", baselinePredictions: null, reason: "drift: could not measure, no baseline was frozen at this flip" };
  }
  const baselinePredictions = predictionTotal(baseline.counts);
  if (baselinePredictions < policy.minBaselinePredictions) {
    return {
      ...none,
      verdict: "inconclusive",
      baselinePredictions,
      reason:
        `drift: could not measure, the baseline holds ${baselinePredictions} predictions of ${baseline.color} over its last ${baseline.minutes} min, ` +
        `fewer than MIN_BASELINE_PREDICTIONS (${policy.minBaselinePredictions}); this bake is judged on errors and latency only`,
    };
  }
  const fast = assessDriftWindow("fast", input.windows.fast, baseline.counts, policy, seconds.fast, false);
  const slow = assessDriftWindow("slow", input.windows.slow, baseline.counts, policy, seconds.slow);
  const measurements = { fast, slow };
  if (slow.verdict === "failed") return { verdict: "failed", window: "slow", baselinePredictions, measurements, reason: slow.reason };
  return { verdict: slow.verdict, window: null, baselinePredictions, measurements, reason: `drift: ${slow.reason}; ${fast.reason}` };
}
