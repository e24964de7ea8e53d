/**
 * Glue between the controller's windows and the rollback rule, as pure
 * functions: which windows assessRollout judges (the active colour's, cut at
 * the last flip), the verdict record the controller keeps and shows, and the
 * flat window figures recorded with every history entry.
 */
import * as z from "zod/mini";
import { Color } from "../../../contract/colors.js";
import type { Metrics } from "../../../contract/history.js";
import type { LabelCounts } from "../../../contract/labels.js";
import type { RolloutPolicy } from "../../../contract/policy.js";
import type { RoutingState } from "../../../contract/routing.js";
import { Verdict, type WindowMetrics } from "../../../contract/status.js";
import type { MetricWindows, SecondTotals } from "./metric-windows.js";
import type { Assessment, WindowAssessment } from "./rollback-policy.js";

/** One colour's windows as the rule reads them. */
export interface ColorWindows {
  fast: WindowMetrics;
  slow: WindowMetrics;
  /** Per-second totals of the fast window, for the recent-suffix rule. */
  recent: SecondTotals[];
  /** The predictions answered in each window, for the drift rule and status. */
  labels: { fast: LabelCounts; slow: LabelCounts };
}

/** `color`'s fast and slow windows at `nowSeconds`, counting nothing before `sinceSecond` (the last flip). */
export function colorWindows(
  windows: MetricWindows,
  color: Color,
  policy: RolloutPolicy,
  nowSeconds: number,
  sinceSecond: number | null,
): ColorWindows {
  const options = sinceSecond === null ? {} : { sinceSecond };
  return {
    fast: windows.summarize(color, policy.fastWindowSeconds, nowSeconds, options),
    slow: windows.summarize(color, policy.slowWindowSeconds, nowSeconds, options),
    recent: windows.secondTotals(color, policy.fastWindowSeconds, nowSeconds, options),
    labels: {
      fast: windows.labels(color, policy.fastWindowSeconds, nowSeconds, options),
      slow: windows.labels(color, policy.slowWindowSeconds, nowSeconds, options),
    },
  };
}

/** The outcome of one evaluation, as status shows it and storage keeps it (`last_verdict`). */
export const VerdictRecordSchema = z.object({
  // The contract's Verdict (contract/status.ts), but kept with the time as Unix ms and read leniently.
  ...Verdict.shape,
  /** Unix ms of the evaluation. */
  at: z.number(),
});
export type VerdictRecord = z.infer<typeof VerdictRecordSchema>;

/** The record of an assessment of `state`'s active colour at `atMs`. */
export function verdictRecord(assessment: Assessment, state: RoutingState, atMs: number): VerdictRecord {
  return {
    at: atMs,
    color: state.active,
    phase: state.phase,
    epoch: state.epoch,
    verdict: assessment.verdict,
    action: assessment.action,
    window: assessment.window ?? null,
    reason: assessment.reason,
  };
}

function round(x: number | null, digits: number): number | null {
  return x === null ? null : Number(x.toFixed(digits));
}

function windowFigures(prefix: "fast" | "slow", w: WindowAssessment): Metrics {
  const m = w.metrics;
  return {
    [`${prefix}Seconds`]: m.toSecond - m.fromSecond + 1,
    [`${prefix}Requests`]: m.requests,
    [`${prefix}Errors`]: m.errors.total,
    [`${prefix}ErrorRate`]: round(m.errorRate, 4),
    [`${prefix}ErrorRateLowerBound`]: round(w.errorRateLowerBound, 4),
    [`${prefix}P50Ms`]: round(m.p50Ms, 1),
    [`${prefix}P99Ms`]: round(m.p99Ms, 1),
    [`${prefix}Verdict`]: w.verdict,
  };
}

/** The drift verdict's figures: of the failed window, else of the slow window, when drift was measured. */
function driftFigures(drift: Assessment["drift"]): Metrics {
  const m = drift.measurements;
  const w = m === null ? null : drift.window === "fast" ? m.fast : m.slow;
  return {
    driftVerdict: drift.verdict,
    driftWindow: w?.window ?? null,
    driftPredictions: w?.predictions ?? null,
    driftTvd: round(w?.tvd ?? null, 4),
    driftTvdLowerBound: round(w?.tvdLowerBound ?? null, 4),
    driftPValue: w?.pValue == null ? null : Number(w.pValue.toPrecision(3)),
    driftLabel: w?.shift?.label ?? null,
    driftShare: round(w?.shift?.share ?? null, 4),
    driftBaselineShare: round(w?.shift?.baselineShare ?? null, 4),
  };
}

/**
 * The figures recorded with a flip or rollback: the verdict on the colour
 * being left and its two windows (seconds actually counted, requests,
 * errors, error rate and its Wilson lower bound, p50/p99), the failing
 * recent suffix, if any, and the drift verdict with its figures.
 */
export function historyMetrics(color: Color, assessment: Assessment): Metrics {
  const { fast, slow } = assessment.measurements;
  const suffix = fast.suffix;
  return {
    color,
    verdict: assessment.verdict,
    window: assessment.window ?? null,
    ...windowFigures("fast", fast),
    ...windowFigures("slow", slow),
    suffixSeconds: suffix?.seconds ?? null,
    suffixRequests: suffix?.requests ?? null,
    suffixErrors: suffix?.errors ?? null,
    suffixErrorRateLowerBound: round(suffix?.errorRateLowerBound ?? null, 4),
    ...driftFigures(assessment.drift),
  };
}
