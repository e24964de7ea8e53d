/**
 * The prediction-drift rule (docs/rollback-policy.md "Prediction drift"),
 * pure, beside the error and latency rules: during a bake, is the new
 * colour's label mix in the fast and slow windows drawn from another
 * distribution than the baseline's, and by a lot? A window fails only when
 * both hold:
 *
 * - proven: Pearson's chi-square test of homogeneity between the window's
 *   and the baseline's category counts (labels, `other`, `unparseable`)
 *   gives p < DRIFT_P_VALUE, with at least MIN_REQUESTS predictions in the
 *   window;
 * - large: the total variation distance between the two mixes is at least
 *   MAX_LABEL_SHIFT. A legitimate release shifts the mix a little (v1 → v2:
 *   0.058 on the golden set), which enough traffic proves beyond any p; the
 *   size keeps it from failing.
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

/** The total variation distance between two mixes, and the category that moved most. */
export function labelShift(window: LabelCounts, baseline: LabelCounts): { tvd: number; shift: LabelShift | null } {
  const { labels, a, b } = aligned(window, baseline);
  const na = a.reduce((s, x) => s + x, 0);
  const nb = b.reduce((s, x) => s + x, 0);
  if (na === 0 || nb === 0) return { tvd: 0, shift: null };
  let tvd = 0;
  let shift: LabelShift | null = null;
  for (let i = 0; i < labels.length; i++) {
    const share = a[i]! / na;
    const baselineShare = b[i]! / nb;
    const d = Math.abs(share - baselineShare);
    tvd += d;
    if (shift === null || d > Math.abs(shift.share - shift.baselineShare)) shift = { label: labels[i]!, share, baselineShare };
  }
  return { tvd: tvd / 2, shift };
}

/** Judges one window against the baseline. */
export function assessDriftWindow(window: DriftWindowName, counts: LabelCounts, baseline: LabelCounts, policy: RolloutPolicy, seconds: number): DriftWindowAssessment {
  const label = `${window} window (${seconds}s)`;
  const predictions = predictionTotal(counts);
  if (predictions < policy.minRequests) {
    return { window, verdict: "inconclusive", predictions, tvd: null, pValue: null, shift: null, reason: `${label}: could not measure, ${predictions} < ${policy.minRequests} predictions` };
  }
  const { a, b } = aligned(counts, baseline);
  const { pValue } = homogeneityTest(a, b);
  const { tvd, shift } = labelShift(counts, baseline);
  const moved = shift === null ? "" : `${shift.label} ${pct(shift.share)} vs ${pct(shift.baselineShare)} baseline, `;
  const proven = pValue < policy.driftPValue;
  const large = tvd >= policy.maxLabelShift;
  const figures = `${moved}TVD ${tvd.toFixed(2)} ${large ? "≥" : "<"} ${policy.maxLabelShift.toFixed(2)}, ${pText(pValue)}`;
  if (proven && large) {
    return { window, verdict: "failed", predictions, tvd, pValue, shift, reason: `prediction drift: ${figures} (${label}: ${predictions} predictions)` };
  }
  const why = !proven ? `not proven (p ≥ ${probability(policy.driftPValue)})` : "proven but small";
  return { window, verdict: "healthy", predictions, tvd, pValue, shift, reason: `${label}: ${predictions} predictions, ${figures}: ${why}` };
}

/** The drift verdict of a bake: failed if a window failed, healthy if one measured healthy, else inconclusive; not judged outside a bake or when off. */
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
  const fast = assessDriftWindow("fast", input.windows.fast, baseline.counts, policy, seconds.fast);
  const slow = assessDriftWindow("slow", input.windows.slow, baseline.counts, policy, seconds.slow);
  const measurements = { fast, slow };
  const failed = [fast, slow].find((w) => w.verdict === "failed");
  if (failed !== undefined) return { verdict: "failed", window: failed.window, baselinePredictions, measurements, reason: failed.reason };
  const verdict = fast.verdict === "healthy" || slow.verdict === "healthy" ? "healthy" : "inconclusive";
  return { verdict, window: null, baselinePredictions, measurements, reason: `drift: ${fast.reason}; ${slow.reason}` };
}
