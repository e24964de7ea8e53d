/**
 * The controller's state transitions (DESIGN.md §4), as pure functions:
 * given the current routing state, the colours' last probes and a command,
 * decide the next state and the history entry — or a refusal. The Durable
 * Object stores and acts; nothing here touches storage or the network.
 *
 *   stable ──flip──▶ baking ──(bake passed)──▶ stable
 *   baking | stable ──rollback──▶ rolled_back ──flip──▶ baking
 */
import { INITIAL_EPOCH, standbyOf, type HealthStatus, type RoutingState } from "../routing-state.js";
import type { Color } from "../telemetry-types.js";

export type Kind = "manual" | "auto";
/**
 * What a history row records: a flip or rollback, or a `repair` — the
 * controller replaced a stored value it could not read (stored-shapes.ts).
 */
export type Action = "flip" | "rollback" | "repair";

/** Figures recorded with an automatic change (structured-clone safe). */
export type Metrics = Record<string, number | string | boolean | null>;

/** One row of the flip/rollback history, as the admin API shows it. */
export interface HistoryEntry {
  /** ISO 8601 time of the change. */
  at: string;
  from: Color;
  to: Color;
  /** The epoch the change produced. */
  epoch: number;
  kind: Kind;
  action: Action;
  reason: string;
  actor: string;
  /** Window metrics that justified an automatic change (null for manual ones). */
  metrics: Metrics | null;
}

/** One origin's answer to a /health probe. */
export interface OriginProbe {
  url: string;
  ok: boolean;
  /** HTTP status; null when no answer came (timeout, connect error). */
  status: number | null;
  latencyMs: number;
  version?: string | undefined;
  digest?: string | undefined;
  error?: string | undefined;
}

/** The result of a colour's last /health probe (all origins of its pool). */
export interface ProbeResult {
  ok: boolean;
  /** Unix ms of the probe. */
  at: number;
  version?: string | undefined;
  digest?: string | undefined;
  /** Why the probe failed (status, timeout, connect error). */
  error?: string | undefined;
  /** The slowest origin's answer time. */
  latencyMs?: number | undefined;
  /** Each origin's answer. */
  origins?: OriginProbe[] | undefined;
}

/** A bake in progress: the window in which the new colour must prove itself. */
export interface Bake {
  startedAt: number;
  endsAt: number;
}

/** What a rollback asks for; a flip also names its target. */
export interface RollbackCommand {
  reason?: string | undefined;
  expectedEpoch?: number | undefined;
  force?: boolean | undefined;
  actor: string;
  kind?: Kind | undefined;
  metrics?: Metrics | undefined;
}

export interface FlipCommand extends RollbackCommand {
  to: Color;
}

/** Why a command was refused; every refusal is a 409 at the admin API. */
export type RefusalReason = "epoch_mismatch" | "already_active" | "target_unhealthy" | "nothing_to_roll_back";

type Scalar = string | number | boolean | null;
/** Refusal details (structured-clone safe, shown to the admin client). */
export type RefusalDetails = Record<string, Scalar | Record<string, Scalar | undefined>>;

export interface Refusal {
  ok: false;
  reason: RefusalReason;
  message: string;
  details: RefusalDetails;
}

export interface Transition {
  ok: true;
  state: RoutingState;
  entry: HistoryEntry;
  bake: Bake | null;
}

/** Last probes per colour. */
export type Probes = Record<Color, ProbeResult | null>;

/** A colour's health as its last probe found it. */
export function healthOf(probe: ProbeResult | null): HealthStatus {
  if (probe === null) return "unknown";
  return probe.ok ? "healthy" : "unhealthy";
}

function checkEpoch(current: RoutingState, expectedEpoch: number | undefined): Refusal | null {
  if (expectedEpoch === undefined || expectedEpoch === current.epoch) return null;
  return {
    ok: false,
    reason: "epoch_mismatch",
    message: `expected epoch ${expectedEpoch} but the deployment is at epoch ${current.epoch}; read the status again and retry`,
    details: { expectedEpoch, currentEpoch: current.epoch, active: current.active, phase: current.phase },
  };
}

function checkTarget(to: Color, probes: Probes, force: boolean | undefined): Refusal | null {
  const probe = probes[to];
  if (force === true || probe === null || probe.ok) return null;
  return {
    ok: false,
    reason: "target_unhealthy",
    message: `${to}'s last health probe failed (${probe.error ?? "unhealthy"}); fix it or pass "force": true`,
    details: {
      color: to,
      probe: { ok: probe.ok, at: new Date(probe.at).toISOString(), version: probe.version, digest: probe.digest, error: probe.error },
    },
  };
}

function move(
  current: RoutingState,
  to: Color,
  action: "flip" | "rollback",
  cmd: FlipCommand | RollbackCommand,
  probes: Probes,
  nowMs: number,
): Omit<Transition, "bake"> {
  const epoch = current.epoch + 1;
  const reason = cmd.reason ?? (action === "flip" ? `flip to ${to}` : `rollback to ${to}`);
  const state: RoutingState = {
    active: to,
    epoch,
    phase: action === "flip" ? "baking" : "rolled_back",
    updatedAt: Math.max(nowMs, current.updatedAt),
    reason,
    health: { blue: healthOf(probes.blue), green: healthOf(probes.green) },
  };
  const entry: HistoryEntry = {
    at: new Date(nowMs).toISOString(),
    from: current.active,
    to,
    epoch,
    kind: cmd.kind ?? "manual",
    action,
    reason,
    actor: cmd.actor,
    metrics: cmd.metrics ?? null,
  };
  return { ok: true, state, entry };
}

/** Decides a flip: CAS on expectedEpoch, a different and not known-unhealthy target; starts a bake. */
export function planFlip(
  current: RoutingState,
  cmd: FlipCommand,
  probes: Probes,
  nowMs: number,
  bakeSeconds: number,
): Transition | Refusal {
  const stale = checkEpoch(current, cmd.expectedEpoch);
  if (stale) return stale;
  if (cmd.to === current.active) {
    return {
      ok: false,
      reason: "already_active",
      message: `${cmd.to} is already active (epoch ${current.epoch}, phase ${current.phase})`,
      details: { active: current.active, epoch: current.epoch, phase: current.phase },
    };
  }
  const unhealthy = checkTarget(cmd.to, probes, cmd.force);
  if (unhealthy) return unhealthy;
  return { ...move(current, cmd.to, "flip", cmd, probes, nowMs), bake: { startedAt: nowMs, endsAt: nowMs + bakeSeconds * 1000 } };
}

/** The end of a bake that passed: phase stable, same epoch and colour; no history row (history is flips and rollbacks). */
export function planBakePassed(current: RoutingState, nowMs: number, reason: string): RoutingState {
  return { ...current, phase: "stable", updatedAt: Math.max(nowMs, current.updatedAt + 1), reason };
}

/** Decides a rollback: back to the standby (the previous colour), from baking or stable only. */
export function planRollback(
  current: RoutingState,
  cmd: RollbackCommand,
  probes: Probes,
  nowMs: number,
): Transition | Refusal {
  const stale = checkEpoch(current, cmd.expectedEpoch);
  if (stale) return stale;
  if (current.phase === "rolled_back" || current.epoch === INITIAL_EPOCH) {
    return {
      ok: false,
      reason: "nothing_to_roll_back",
      message:
        current.phase === "rolled_back"
          ? `already rolled back to ${current.active}; flip to move traffic again`
          : `nothing to roll back: ${current.active} has been active since the deployment began`,
      details: { active: current.active, epoch: current.epoch, phase: current.phase },
    };
  }
  const to = standbyOf(current);
  const unhealthy = checkTarget(to, probes, cmd.force);
  if (unhealthy) return unhealthy;
  return { ...move(current, to, "rollback", cmd, probes, nowMs), bake: null };
}
