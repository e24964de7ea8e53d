/**
 * The DeploymentController's decisions in the simulation, made by the real
 * pure code: MetricWindows takes the reported buckets, colorWindows +
 * assessRollout judge the active colour on every report (as report() does)
 * and on the alarm, planFlip / planRollback make the transitions. Only the
 * Durable Object's storage, KV copy and alerts are left out (their time is in
 * the measured service time). Both colours probe healthy throughout.
 */
import { colorWindows } from "../../worker/src/controller/evaluation.js";
import { MetricWindows } from "../../worker/src/controller/metric-windows.js";
import { assessRollout } from "../../worker/src/controller/rollback-policy.js";
import { DEFAULT_POLICY, type RolloutPolicy } from "../../contract/policy.js";
import { planFlip, planRollback, type Probes } from "../../worker/src/controller/transitions.js";
import type { RoutingState } from "../../contract/routing.js";
import { initialRoutingState } from "../../worker/src/routing-state.js";
import type { Color } from "../../contract/colors.js";
import type { SecondBucket } from "../../contract/telemetry.js";

/** A change of the routing state and who made it. */
export interface Change {
  state: RoutingState;
  atMs: number;
  kind: "flip" | "rollback";
}

/** One deployment's controller, decisions only. */
export class SimController {
  readonly policy: RolloutPolicy;
  readonly windows: MetricWindows;
  state: RoutingState;
  /** Requests counted into the windows, per colour (the exactness check). */
  readonly counted: Record<Color, number> = { blue: 0, green: 0 };
  readonly changes: Change[] = [];
  #sinceSecond: number | null = null;
  #armed = true;
  readonly #onChange: (change: Change) => void;

  constructor(nowMs: number, onChange: (change: Change) => void, policy: RolloutPolicy = DEFAULT_POLICY) {
    this.policy = policy;
    this.windows = new MetricWindows(policy.slowWindowSeconds);
    this.state = { ...initialRoutingState(nowMs), health: { blue: "healthy", green: "healthy" } };
    this.#onChange = onChange;
  }

  /** Counts reported buckets into the windows (as TrafficMemory.addToWindows). */
  apply(buckets: readonly SecondBucket[], nowMs: number): void {
    for (const b of buckets) {
      const outcome = this.windows.add(b, nowMs / 1000);
      if (outcome === "added" || outcome === "clamped") this.counted[b.color] += b.counts.requests;
    }
  }

  /** Judges the active colour and rolls back when the rule says so (as the controller's #evaluate). */
  evaluate(nowMs: number): void {
    const state = this.state;
    const windows = colorWindows(this.windows, state.active, this.policy, nowMs / 1000, this.#sinceSecond);
    const assessment = assessRollout({
      phase: state.phase,
      active: state.active,
      windows: { fast: windows.fast, slow: windows.slow },
      recent: windows.recent,
      policy: this.policy,
      health: state.health,
      autoRollbackArmed: this.#armed,
    });
    if (assessment.action !== "rollback") return;
    const plan = planRollback(state, { actor: "controller", kind: "auto", reason: assessment.reason.slice(0, 500) }, this.#probes(nowMs), nowMs);
    if (!plan.ok) return;
    this.#armed = false;
    this.#commit(plan.state, nowMs, "rollback");
  }

  /** An operator's flip (admin API). */
  flip(to: Color, nowMs: number): void {
    const plan = planFlip(this.state, { actor: "operator", to }, this.#probes(nowMs), nowMs, this.policy.bakeSeconds);
    if (!plan.ok) throw new Error(`flip refused: ${plan.message}`);
    this.#armed = true;
    this.#commit(plan.state, nowMs, "flip");
  }

  #commit(state: RoutingState, nowMs: number, kind: Change["kind"]): void {
    this.state = state;
    this.#sinceSecond = Math.floor(nowMs / 1000);
    const change = { state, atMs: nowMs, kind };
    this.changes.push(change);
    this.#onChange(change);
  }

  #probes(nowMs: number): Probes {
    return { blue: { ok: true, at: nowMs }, green: { ok: true, at: nowMs } };
  }
}
