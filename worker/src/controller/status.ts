/**
 * The controller's part of GET /admin/status (contract/status.ts), built from what
 * it stores, as a pure function: phase and bake deadline, each colour's
 * health (last probe: status, version, digest, latency, time) and window
 * metrics, the policy, the last verdict with its reason, whether automatic
 * rollback is armed, and the alert outbox. Times are ISO 8601 strings.
 */
import { COLORS, type Color } from "../../../contract/colors.js";
import type { HistoryEntry } from "../../../contract/history.js";
import type { RolloutPolicy } from "../../../contract/policy.js";
import type { HealthStatus, RoutingState } from "../../../contract/routing.js";
import type { AdminStatus, BakeView, ColorHealth, Verdict, WindowMetrics } from "../../../contract/status.js";
import { redact, type Alert } from "./alerts.js";
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
  autoRollbackArmed: boolean;
  outbox: Alert[];
  lastFlip: HistoryEntry | null;
  kvCurrent: boolean;
  nextAlarmAt: number | null;
  /** Kept out of every string of the answer. */
  webhookUrl: string | null;
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
  };
}
