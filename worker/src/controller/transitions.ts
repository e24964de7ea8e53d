/**
 * The controller's state transitions (docs/architecture.md "Controller"), as
 * pure functions: given the current routing state, the colours' last probes
 * and a command, decide the next state and the history entry — or a refusal.
 * The Durable Object stores and acts; nothing here touches storage or the
 * network.
 *
 *   stable ──flip──▶ baking ──(bake passed)──▶ stable
 *   baking | stable ──rollback──▶ rolled_back ──flip──▶ baking
 */
import type * as z from "zod/mini";
import type { RefusalReason } from "../../../contract/admin.js";
import type { Color } from "../../../contract/colors.js";
import type { HistoryEntry, Kind, Metrics } from "../../../contract/history.js";
import type { HealthStatus, RoutingState } from "../../../contract/routing.js";
import { INITIAL_EPOCH, standbyOf } from "../routing-state.js";
import type { FlipCommandSchema, ProbeResult, RollbackCommandSchema } from "./rpc-schemas.js";
import type { Baseline } from "./baseline.js";
import type { BakeSchema } from "./stored-shapes.js";

/** A bake in progress: the window in which the new colour must prove itself. */
export type Bake = z.infer<typeof BakeSchema>;

/** The controller's own fields of a command: callers never send them (rpc-schemas.ts). */
interface ControllerFields {
  kind?: Kind | undefined;
  metrics?: Metrics | undefined;
  /** A flip's: the baseline frozen for its bake (baseline.ts), stored with it. */
  baseline?: Baseline | undefined;
}

/** What a rollback asks for: a caller's command, with the controller's kind and metrics. */
export type RollbackCommand = z.infer<typeof RollbackCommandSchema> & ControllerFields;

/** What a flip asks for: a caller's command, with the controller's kind and metrics. */
export type FlipCommand = z.infer<typeof FlipCommandSchema> & ControllerFields;

type Scalar = string | number | boolean | null;
/** Refusal details (structured-clone safe, shown to the admin client). */
export type RefusalDetails = Record<string, Scalar | Record<string, Scalar | undefined>>;

/** A refused command; every refusal is a 409 `conflict` at the admin API. */
export interface Refusal {
  ok: false;
  reason: RefusalReason;
  message: string;
  details: RefusalDetails;
}

/** A decided flip or rollback, applied by StateStore.commit in one transaction. */
export interface Transition {
  ok: true;
  state: RoutingState;
  entry: HistoryEntry;
  bake: Bake | null;
  /** Whether automatic rollback is armed after it: a flip re-arms it, an automatic rollback disarms it, a manual rollback leaves it. */
  autoRollbackArmed?: boolean;
  /** The baseline a flip froze for its bake; absent: the stored one stays. */
  baseline?: Baseline;
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
): Omit<Transition, "bake" | "autoRollbackArmed"> {
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
  return {
    ...move(current, cmd.to, "flip", cmd, probes, nowMs),
    bake: { startedAt: nowMs, endsAt: nowMs + bakeSeconds * 1000 },
    autoRollbackArmed: true,
    ...(cmd.baseline === undefined ? {} : { baseline: cmd.baseline }),
  };
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
  const transition: Transition = { ...move(current, to, "rollback", cmd, probes, nowMs), bake: null };
  // One automatic rollback per deployment until the next manual flip.
  if (cmd.kind === "auto") transition.autoRollbackArmed = false;
  return transition;
}
