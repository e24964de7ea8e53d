/**
 * What the DeploymentController does, decided as pure functions of what it
 * loaded (docs/architecture.md "Controller", docs/rollback-policy.md). `planTick` is one evaluation of the
 * active colour (on every report and every alarm): the verdict, the change
 * that follows from it (an automatic rollback, or the end of the bake), the
 * alerts to send and the lines to log. `planProbe` is a probe result: the
 * health change and the standby-unhealthy alert. `nextAlarmAt` and
 * `alarmAfterFlip` are the alarm's schedule.
 *
 * deployment-controller.ts loads the inputs, calls these, and stores, sends
 * and logs what they answer; nothing here touches storage or the network.
 */
import type { Color } from "../../../contract/colors.js";
import { CONTROLLER_ACTOR } from "../../../contract/history.js";
import type { RolloutPolicy } from "../../../contract/policy.js";
import type { RoutingState } from "../../../contract/routing.js";
import { standbyOf } from "../routing-state.js";
import { autoRollbackText, bakePassedText, standbyUnhealthyText, type AlertKind } from "./alerts.js";
import type { Baseline } from "./baseline.js";
import { historyMetrics, verdictRecord, type ColorWindows, type VerdictRecord } from "./evaluation.js";
import { assessBake, assessRollout, type Assessment } from "./rollback-policy.js";
import type { FallbackPolicy } from "./rollout-policy.js";
import type { ProbeResult } from "./rpc-schemas.js";
import { healthOf, planBakePassed, planRollback, type Bake, type Probes, type Transition } from "./transitions.js";

/** The longest reason a history row keeps. */
const MAX_REASON_LENGTH = 500;

/** An alert to put in the outbox (or only log, when no webhook is set). */
export interface AlertDraft {
  kind: AlertKind;
  text: string;
}

/** A line for the controller's log; the controller prefixes its deployment's name. */
export interface LogLine {
  level: "info" | "error";
  message: string;
}

/** What the rollback rule reads about the active colour. */
export interface JudgeInput {
  state: RoutingState;
  /** The active colour's windows, counting nothing before the last flip or rollback. */
  windows: ColorWindows;
  policy: RolloutPolicy;
  autoRollbackArmed: boolean;
  /** The baseline frozen at the last flip (drift rule), or null. */
  baseline: Baseline | null;
}

/** The rule's verdict on `state`'s active colour (nothing is acted on): also the figures a manual flip or rollback records. */
export function assessActive(input: JudgeInput): Assessment {
  const { state, windows } = input;
  return assessRollout({
    phase: state.phase,
    active: state.active,
    windows: { fast: windows.fast, slow: windows.slow },
    recent: windows.recent,
    policy: input.policy,
    health: state.health,
    autoRollbackArmed: input.autoRollbackArmed,
    drift: { epoch: state.epoch, baseline: input.baseline, labels: windows.labels },
  });
}

/** Everything one evaluation reads. */
export interface TickInput extends Omit<JudgeInput, "policy"> {
  /** The deployment's name, for alert texts. */
  deployment: string;
  nowMs: number;
  /** The bake in progress, if any. */
  bake: Bake | null;
  /** Each colour's last probe (the rollback's target must not be known unhealthy; the alert names the version). */
  probes: Probes;
  /** The policy and its bad vars: while any var is bad, nothing is judged. */
  policy: FallbackPolicy;
}

/** A change one evaluation decided. */
export type TickChange =
  /** Back to the standby; `transition.autoRollbackArmed` is false (one automatic rollback until the next manual flip). */
  | { kind: "auto_rollback"; transition: Transition }
  /** The bake passed: the new routing state (phase stable, same epoch); the bake is over. */
  | { kind: "bake_passed"; state: RoutingState };

/** What one evaluation decided. */
export interface TickPlan {
  /** The verdict on the active colour; null when nothing was judged (a bad policy var). */
  verdict: VerdictRecord | null;
  change: TickChange | null;
  alerts: AlertDraft[];
  log: LogLine[];
}

/**
 * One evaluation of the active colour: an automatic rollback when the rule
 * says so and the transition allows it; else, while baking, the end of the
 * bake once its deadline has passed and the colour measured healthy;
 * nothing at all while a policy var is bad.
 */
export function planTick(input: TickInput): TickPlan {
  const { state, nowMs, deployment } = input;
  if (input.policy.issues.length > 0) return { verdict: null, change: null, alerts: [], log: [] };
  const assessment = assessActive({ ...input, policy: input.policy.policy });
  const verdict = verdictRecord(assessment, state, nowMs);
  if (assessment.action === "rollback") return { verdict, ...autoRollback(input, assessment) };
  const none: TickPlan = { verdict, change: null, alerts: [], log: [] };
  if (state.phase !== "baking" || input.bake === null) return none;
  const outcome = assessBake({ phase: state.phase, bakeDeadlineMs: input.bake.endsAt, nowMs, lastVerdict: assessment.verdict });
  if (outcome.outcome !== "passed") return none;
  const next = planBakePassed(state, nowMs, outcome.reason);
  const version = input.probes[state.active]?.version ?? null;
  return {
    verdict,
    change: { kind: "bake_passed", state: next },
    alerts: [{ kind: "bake_passed", text: bakePassedText(deployment, next, version, input.windows.fast) }],
    log: [{ level: "info", message: `${state.active} passed the bake (epoch ${state.epoch})` }],
  };
}

// The rule said roll back: the controller's own rollback command, unless the transition refuses it.
function autoRollback(input: TickInput, assessment: Assessment): Omit<TickPlan, "verdict"> {
  const { state } = input;
  const transition = planRollback(
    state,
    {
      actor: CONTROLLER_ACTOR,
      kind: "auto",
      reason: assessment.reason.slice(0, MAX_REASON_LENGTH),
      metrics: historyMetrics(state.active, assessment),
    },
    input.probes,
    input.nowMs,
  );
  if (!transition.ok) {
    return { change: null, alerts: [], log: [{ level: "error", message: `automatic rollback refused (${transition.reason}): ${transition.message}` }] };
  }
  return {
    change: { kind: "auto_rollback", transition },
    alerts: [{ kind: "auto_rollback", text: autoRollbackText(input.deployment, transition.entry) }],
    log: [],
  };
}

/** A probe result to record. */
export interface ProbeInput {
  deployment: string;
  nowMs: number;
  /** The routing state before the probe is recorded. */
  state: RoutingState;
  color: Color;
  probe: ProbeResult;
}

/** What recording a probe changes. */
export interface ProbePlan {
  /** The routing state with the colour's new health, or null when its health did not change. */
  state: RoutingState | null;
  alerts: AlertDraft[];
}

/** A probe changes the colour's health in the routing state; a standby turning unhealthy is alerted (once per transition, not per probe). */
export function planProbe(input: ProbeInput): ProbePlan {
  const { state, color, probe } = input;
  const health = healthOf(probe);
  if (state.health[color] === health) return { state: null, alerts: [] };
  const next: RoutingState = {
    ...state,
    health: { ...state.health, [color]: health },
    updatedAt: Math.max(input.nowMs, state.updatedAt + 1),
  };
  const alerts: AlertDraft[] =
    color === standbyOf(next) && health === "unhealthy" ? [{ kind: "standby_unhealthy", text: standbyUnhealthyText(input.deployment, color, probe) }] : [];
  return { state: next, alerts };
}

/** When the alarm fires next after a run at `nowMs`: the next probe, or the bake's end when that comes first. */
export function nextAlarmAt(nowMs: number, intervalMs: number, bake: Bake | null): number {
  const next = nowMs + intervalMs;
  return bake !== null && bake.endsAt > nowMs ? Math.min(next, bake.endsAt) : next;
}

/** After a flip: the alarm to set so the bake ends on time even when the next probe is later; null leaves the alarm as it is. */
export function alarmAfterFlip(scheduled: number | null, bake: Bake | null): number | null {
  if (bake === null || (scheduled !== null && scheduled <= bake.endsAt)) return null;
  return bake.endsAt;
}
