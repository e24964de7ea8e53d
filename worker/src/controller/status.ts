/**
 * The controller's part of GET /admin/status (contract/status.ts), built from what
 * it stores, as a pure function: phase and bake deadline, each colour's
 * health (last probe: status, version, digest, latency, time), window
 * metrics and label shares, the policy, the last verdict with its reason,
 * the drift rule with its baseline, whether automatic rollback is armed, and
 * the alert outbox. Times are ISO 8601 strings.
 */
import type { ShadowView } from "../../../contract/shadow.js";
import { COLORS, type Color } from "../../../contract/colors.js";
import type { HistoryEntry } from "../../../contract/history.js";
import type { RolloutPolicy } from "../../../contract/policy.js";
import type { HealthStatus, RoutingState } from "../../../contract/routing.js";
import { predictionTotal, type LabelCounts } from "../../../contract/labels.js";
import type { AdminStatus, BakeView, BaselineView, ColorHealth, DriftView, DriftWindowView, LabelMix, Verdict, WindowMetrics } from "../../../contract/status.js";
import { redact, type Alert } from "./alerts.js";
import type { Baseline } from "./baseline.js";
import type { DriftAssessment, DriftWindowAssessment } from "./drift-rule.js";
import type { ColorWindows, VerdictRecord } from "./evaluation.js";
import type { ProbeResult } from "./rpc-schemas.js";
import type { Bake, Probes } from "./transitions.js";

/** What the controller answers for GET /admin/status; the router adds its own settings and its pools. */
export interface ControllerStatus {
  deployment: string;
  state: RoutingState;
  bake: BakeView | null;
  health: Record<Color, ColorHealth>;
  /** Fast and slow window of each colour, counting nothing before the last flip. */
  metrics: Record<Color, { fast: WindowMetrics; slow: WindowMetrics }>;
  /** What each colour answered in the same windows. */
  predictions: Record<Color, { fast: LabelMix; slow: LabelMix }>;
  /** The drift rule on the active colour, with the bake's baseline. */
  drift: DriftView;
  policy: RolloutPolicy & { alertsConfigured: boolean };
  /** Bad policy vars, one line each; while any is listed, `policy` holds defaults in their place and nothing is judged. */
  configIssues: string[];
  verdict: Verdict | null;
  autoRollbackArmed: boolean;
  /** Alerts not delivered yet (retried on every alarm). */
  alerts: AdminStatus["alerts"];
  lastFlip: HistoryEntry | null;
  kvCurrent: boolean;
  nextAlarmAt: string | null;
  /** The last shadowing, judged now (shadow-control.ts); null when there never was one. */
  shadow: ShadowView | null;
}

export interface StatusInput {
  deployment: string;
  state: RoutingState;
  nowMs: number;
  bake: Bake | null;
  probes: Probes;
  windows: Record<Color, ColorWindows>;
  policy: RolloutPolicy;
  configIssues: string[];
  alertsConfigured: boolean;
  verdict: VerdictRecord | null;
  /** The drift rule's verdict on the active colour now, and the baseline it compared with. */
  drift: DriftAssessment;
  baseline: Baseline | null;
  autoRollbackArmed: boolean;
  outbox: Alert[];
  lastFlip: HistoryEntry | null;
  kvCurrent: boolean;
  nextAlarmAt: number | null;
  /** Kept out of every string of the answer. */
  webhookUrl: string | null;
  shadow: ShadowView | null;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function colorHealth(status: HealthStatus, probe: ProbeResult | null): ColorHealth {
  return {
    status,
    checkedAt: probe === null ? null : iso(probe.at),
    latencyMs: probe?.latencyMs ?? null,
    version: probe?.version ?? null,
    digest: probe?.digest ?? null,
    error: probe?.error ?? null,
    origins: probe?.origins ?? [],
  };
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

/** A label count as status shows it: the named labels largest first with their shares of every prediction. */
export function labelMix(counts: LabelCounts): LabelMix {
  const predictions = predictionTotal(counts);
  const labels = counts.labels
    .map(([label, count]) => ({ label, count, share: predictions === 0 ? 0 : round(count / predictions, 4) }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  return { predictions, labels, other: counts.other, unparseable: counts.unparseable, confidence: [...counts.confidence] };
}

function baselineView(b: Baseline, minimum: number): BaselineView {
  const mix = labelMix(b.counts);
  return {
    color: b.color,
    epoch: b.epoch,
    frozenAt: iso(b.frozenAt),
    minutes: b.minutes,
    from: iso(b.fromMinute * 60_000),
    to: iso(Math.min(b.frozenAt, (b.toMinute + 1) * 60_000)),
    mix,
    enough: mix.predictions >= minimum,
    minimum,
  };
}

function driftWindowView(w: DriftWindowAssessment): DriftWindowView {
  const r4 = (x: number | null | undefined) => (x == null ? null : round(x, 4));
  return {
    window: w.window,
    verdict: w.verdict,
    predictions: w.predictions,
    tvd: r4(w.tvd),
    tvdLowerBound: r4(w.tvdLowerBound),
    pValue: w.pValue === null ? null : Number(w.pValue.toPrecision(3)),
    label: w.shift?.label ?? null,
    share: r4(w.shift?.share),
    baselineShare: r4(w.shift?.baselineShare),
    reason: w.reason,
  };
}

/** The drift rule's verdict on `color` as status shows it, beside the baseline (shown whenever one is stored). */
export function driftView(color: Color, drift: DriftAssessment, baseline: Baseline | null, minBaselinePredictions: number): DriftView {
  return {
    color,
    verdict: drift.verdict,
    reason: drift.reason,
    baseline: baseline === null ? null : baselineView(baseline, minBaselinePredictions),
    fast: drift.measurements === null ? null : driftWindowView(drift.measurements.fast),
    slow: drift.measurements === null ? null : driftWindowView(drift.measurements.slow),
  };
}

/** Builds the controller status. */
export function controllerStatus(input: StatusInput): ControllerStatus {
  const { state, bake, nowMs, outbox } = input;
  const lastError = [...outbox].reverse().find((a) => a.lastError !== undefined)?.lastError ?? null;
  return {
    deployment: input.deployment,
    state,
    bake:
      bake === null || state.phase !== "baking"
        ? null
        : { startedAt: iso(bake.startedAt), endsAt: iso(bake.endsAt), remainingSeconds: Math.max(0, Math.ceil((bake.endsAt - nowMs) / 1000)) },
    health: Object.fromEntries(COLORS.map((c) => [c, colorHealth(state.health[c], input.probes[c])])) as Record<Color, ColorHealth>,
    metrics: Object.fromEntries(COLORS.map((c) => [c, { fast: input.windows[c].fast, slow: input.windows[c].slow }])) as ControllerStatus["metrics"],
    predictions: Object.fromEntries(
      COLORS.map((c) => [c, { fast: labelMix(input.windows[c].labels.fast), slow: labelMix(input.windows[c].labels.slow) }]),
    ) as ControllerStatus["predictions"],
    drift: driftView(state.active, input.drift, input.baseline, input.policy.minBaselinePredictions),
    policy: { ...input.policy, alertsConfigured: input.alertsConfigured },
    configIssues: input.configIssues,
    verdict: input.verdict === null ? null : { ...input.verdict, at: iso(input.verdict.at) },
    autoRollbackArmed: input.autoRollbackArmed,
    alerts: {
      pending: outbox.length,
      oldestAt: outbox[0] === undefined ? null : iso(outbox[0].createdAt),
      lastError: lastError === null || input.webhookUrl === null ? lastError : redact(lastError, input.webhookUrl),
    },
    lastFlip: input.lastFlip,
    kvCurrent: input.kvCurrent,
    nextAlarmAt: input.nextAlarmAt === null ? null : iso(input.nextAlarmAt),
    shadow: input.shadow,
  };
}
