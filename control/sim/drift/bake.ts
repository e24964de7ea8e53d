/**
 * One simulated bake for the drift rule's calibration (`npm run sim:drift`),
 * through the controller's real code: blue answers the golden set's texts
 * for BASELINE_MINUTES before the flip (its labels go through LabelHistory,
 * and freezeBaseline freezes them at the flip); then green answers them,
 * its labels reported once per REPORT_INTERVAL into MetricWindows, and after
 * every report the drift rule (assessDrift) judges green's windows, cut at
 * the flip, as the controller does. A silent fault is the
 * model server's own (Faults.silent). Traffic is paced (as the drills'
 * load): `rate` predictions a second, each a uniformly drawn golden text
 * whose label is what the colour's model answered for it.
 *
 * Pure and seeded: the caller passes the random stream. It records, for
 * each MAX_LABEL_SHIFT threshold asked about, when the rule would first
 * have failed the bake, so one run calibrates every threshold.
 */
import type { Label } from "../../../contract/prediction.js";
import { addLabelCounts, emptyLabelCounts, predictionTotal, type LabelCounts } from "../../../contract/labels.js";
import type { RolloutPolicy } from "../../../contract/policy.js";
import { Faults } from "../../../model-server/index.js";
import { freezeBaseline } from "../../../worker/src/controller/baseline.js";
import { assessDrift, assessDriftWindow } from "../../../worker/src/controller/drift-rule.js";
import { LabelHistory } from "../../../worker/src/controller/label-history.js";
import { MetricWindows } from "../../../worker/src/controller/metric-windows.js";
import { emptyCounts, type SecondBucket } from "../../../contract/telemetry.js";
import type { Rng } from "../engine/rng.js";

/** A silent fault of the green model server (docs/model-server.md). */
export interface SilentFault {
  /** `constant:<label>`, `swap:<a>,<b>` or `random`. */
  mode: string;
  /** Share of predictions answered wrong. */
  rate: number;
}

export interface BakeParams {
  /** Predictions a second, before and after the flip. */
  rate: number;
  /** What each golden text is answered by blue's model (v1) and green's (v2), in the golden set's order. */
  blue: readonly Label[];
  green: readonly Label[];
  /** Green's silent fault from the flip on, or null (a legitimate release). */
  fault: SilentFault | null;
  policy: RolloutPolicy;
  /** The isolates' report interval (REPORT_INTERVAL_MS: one report a second). */
  reportIntervalMs: number;
  /** MAX_LABEL_SHIFT values to find the first failure for (the policy's own among them, usually). */
  shifts: readonly number[];
}

/** What one bake showed. */
export interface BakeOutcome {
  /** Per threshold in `shifts`: seconds from the flip to the report on which the rule first failed the bake, or null. */
  firstFailureS: Array<number | null>;
  /** The largest TVD lower bound of the slow window while its difference was proven (p < DRIFT_P_VALUE), over the bake; 0 when never. */
  maxProvenLowerBound: number;
  /** Predictions in the frozen baseline. */
  baselinePredictions: number;
}

/** Draws `n` predictions of `labels` (uniform over the texts), with the fault when given, into `into`. */
export function sampleLabels(into: LabelCounts, n: number, labels: readonly Label[], rng: Rng, faults: Faults | null): void {
  const texts = labels.length;
  // Tallied by label first: countLabel per prediction would cost most of a 500/s bake's time.
  const tally = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const label = labels[Math.floor(rng.uniform() * texts)]!;
    const answered = faults === null ? label : faults.silent({ prediction: label, confidence: 0.5, model_version: "sim" }).prediction;
    tally.set(answered, (tally.get(answered) ?? 0) + 1);
  }
  const counts = emptyLabelCounts();
  counts.labels = [...tally];
  addLabelCounts(into, counts);
}

/** Predictions of a paced load between t0 and t1 (seconds): one every 1/rate s. */
function pacedCount(rate: number, t0: number, t1: number): number {
  return Math.floor(rate * t1 + 1e-9) - Math.floor(rate * t0 + 1e-9);
}

function bucket(second: number, counts: LabelCounts, requests: number): SecondBucket {
  const c = emptyCounts();
  c.requests = requests;
  c.predictions = counts;
  return { second, color: "green", counts: c };
}

/** Simulates one bake; `flipAtS` is the flip's time in seconds (any fraction), `reportPhaseS` when green's first report comes after it (0..interval). */
export function simulateBake(p: BakeParams, rng: Rng, flipAtS: number, reportPhaseS: number): BakeOutcome {
  const { policy } = p;
  // Blue's answers over the minutes before the flip, one bucket per minute (the history sums by minute anyway).
  const history = new LabelHistory();
  const startS = flipAtS - (policy.baselineMinutes + 1) * 60;
  for (let minuteStart = Math.floor(startS / 60) * 60; minuteStart < flipAtS; minuteStart += 60) {
    const from = Math.max(minuteStart, startS);
    const to = Math.min(minuteStart + 60, flipAtS);
    const counts = emptyLabelCounts();
    const n = pacedCount(p.rate, from, to);
    sampleLabels(counts, n, p.blue, rng, null);
    const c = emptyCounts();
    c.requests = n;
    c.predictions = counts;
    history.addReport({ buckets: [{ second: Math.floor(from), color: "blue", counts: c }] }, flipAtS);
  }
  const baseline = freezeBaseline(history, "blue", 2, flipAtS * 1000, policy);
  const baselinePredictions = predictionTotal(baseline.counts);
  const judged = baselinePredictions >= policy.minBaselinePredictions;

  const faults = p.fault === null ? null : new Faults({ rate: 0, latencyMs: 0, silentRate: p.fault.rate, silentMode: p.fault.mode }, () => rng.uniform());
  const windows = new MetricWindows(policy.slowWindowSeconds);
  const since = { sinceSecond: Math.floor(flipAtS) };
  const firstFailureS: Array<number | null> = p.shifts.map(() => null);
  let maxProvenLowerBound = 0;
  const intervalS = p.reportIntervalMs / 1000;
  let last = flipAtS;
  for (let t = flipAtS + reportPhaseS; t <= flipAtS + policy.bakeSeconds; t += intervalS) {
    // The predictions since the last report, in the seconds they were answered in.
    for (let s = Math.floor(last); s < t; s++) {
      const from = Math.max(s, last);
      const to = Math.min(s + 1, t);
      const n = pacedCount(p.rate, from, to);
      if (n === 0) continue;
      const counts = emptyLabelCounts();
      sampleLabels(counts, n, p.green, rng, faults);
      windows.add(bucket(s, counts, n), t);
    }
    last = t;
    if (!judged) continue;
    const labels = { fast: windows.labels("green", policy.fastWindowSeconds, t, since), slow: windows.labels("green", policy.slowWindowSeconds, t, since) };
    // The slow window is the one judged (drift-rule.ts): its figures decide every threshold at once.
    let failsAtPolicyShift = false;
    const w = assessDriftWindow("slow", labels.slow, baseline.counts, policy, policy.slowWindowSeconds);
    const bound = w.tvdLowerBound;
    if (w.pValue !== null && bound !== null && w.pValue < policy.driftPValue) {
      maxProvenLowerBound = Math.max(maxProvenLowerBound, bound);
      failsAtPolicyShift = bound >= policy.maxLabelShift;
      p.shifts.forEach((shift, i) => {
        if (firstFailureS[i] === null && bound >= shift) firstFailureS[i] = t - flipAtS;
      });
    }
    // The per-threshold shortcut above must be the rule itself at the policy's own threshold.
    const rule = assessDrift({ phase: "baking", epoch: 2, baseline, windows: labels, policy }, { fast: policy.fastWindowSeconds, slow: policy.slowWindowSeconds });
    if ((rule.verdict === "failed") !== failsAtPolicyShift) throw new Error(`the simulation disagrees with the drift rule at t = ${t}: ${rule.reason}`);
    // Every threshold has failed: the rest of the bake changes nothing (the controller has rolled back).
    if (firstFailureS.every((f) => f !== null)) break;
  }
  return { firstFailureS, maxProvenLowerBound, baselinePredictions };
}
