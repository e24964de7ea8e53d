/**
 * The DeploymentController Durable Object (docs/architecture.md
 * "Controller"): one per deployment (`idFromName(DEPLOYMENT_NAME)`), the
 * authority for its routing state. Reached only through the RPC methods
 * below, and woken by its alarm.
 *
 * It decides nothing itself: transitions.ts plans flips and rollbacks,
 * rollback-policy.ts judges the windows and the bake. This class stores
 * (state-store.ts, with the windows and timeline in traffic-memory.ts), calls
 * them on every report and on every alarm, and acts: commits the change,
 * keeps the KV copy current (kv-sync.ts), answers every caller with the
 * routing state and sends the alert (alert-outbox.ts).
 */
import { DurableObject } from "cloudflare:workers";
import { TIMELINE_MAX_MINUTES } from "../../../contract/admin.js";
import { COLORS, type Color } from "../../../contract/colors.js";
import { CONTROLLER_ACTOR, type HistoryEntry } from "../../../contract/history.js";
import type { RolloutPolicy } from "../../../contract/policy.js";
import type { RoutingState } from "../../../contract/routing.js";
import { TelemetryEnvelopeSchema, type TelemetryReport } from "../../../contract/telemetry.js";
import type { TimelineView } from "../../../contract/timeline.js";
import { routerConfig } from "../config.js";
import { standbyOf } from "../routing-state.js";
import { AlertOutbox } from "./alert-outbox.js";
import { autoRollbackText, bakePassedText, standbyUnhealthyText } from "./alerts.js";
import { ControllerConfig } from "./controller-config.js";
import { colorWindows, historyMetrics, verdictRecord, type ColorWindows, type VerdictRecord } from "./evaluation.js";
import { probePool } from "./health-probe.js";
import { KvSync } from "./kv-sync.js";
import { assessBake, assessRollout, type Assessment } from "./rollback-policy.js";
import { FlipCommandSchema, parseRpc, ProbeResultSchema, RollbackCommandSchema, type ProbeResult } from "./rpc-schemas.js";
import { StateStore } from "./state-store.js";
import { controllerStatus, type ControllerStatus } from "./status.js";
import { timelineView } from "./timeline.js";
import { TrafficMemory } from "./traffic-memory.js";
import { planBakePassed, planFlip, planRollback, type FlipCommand, type Refusal, type RollbackCommand } from "./transitions.js";

/** History rows read for the timeline's flip and rollback markers. */
const TIMELINE_MARKER_ROWS = 100;

/** Answer of flip and rollback. */
export type CommandResult = { ok: true; state: RoutingState; entry: HistoryEntry } | Refusal;
export type { ControllerStatus };

/** One deployment's routing authority; reached only through its RPC methods. */
export class DeploymentController extends DurableObject<Env> {
  readonly #store: StateStore;
  readonly #traffic: TrafficMemory;
  readonly #alerts: AlertOutbox;
  readonly #kv: KvSync;
  readonly #config: ControllerConfig;
  #lastVerdict: VerdictRecord | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#config = new ControllerConfig(() => this.env);
    const deployment = () => this.#deployment();
    this.#store = new StateStore(ctx.storage, { deployment, bakeMs: () => this.#config.policy().policy.bakeSeconds * 1000 });
    this.#traffic = new TrafficMemory(this.#store, { deployment, capacitySeconds: () => this.#config.policy().policy.slowWindowSeconds });
    this.#alerts = new AlertOutbox(this.#store, { deployment, webhookUrl: () => this.#config.webhookUrl() });
    this.#kv = new KvSync(this.#store, { deployment, kv: () => this.env.ROUTING });
    // The probe schedule starts with the object; the minutely cron re-arms it should it ever be lost.
    // On first start (no alarm yet) the first probe runs at once, before any call is answered,
    // so health is known from the start rather than one HEALTH_INTERVAL_SECONDS later.
    void ctx.blockConcurrencyWhile(async () => {
      try {
        if ((await ctx.storage.getAlarm()) !== null) return;
        await ctx.storage.setAlarm(Date.now() + this.#config.intervalMs());
        await this.#probeAll();
      } catch (err) {
        console.error(`controller ${this.#deployment()}: first alarm or probe failed (the alarm and the cron try again)`, err);
      }
    });
  }

  /** The routing state. */
  async getRoutingState(): Promise<RoutingState> {
    return this.#kv.answer();
  }

  /** Takes an isolate's batched outcomes, judges the active colour, acts; answers the routing state. */
  async report(report: TelemetryReport): Promise<RoutingState> {
    const parsed = parseRpc(TelemetryEnvelopeSchema, report, "telemetry report");
    const nowMs = Date.now();
    const invalid = this.#traffic.addToWindows(parsed, nowMs);
    if (invalid > 0) console.warn(`controller ${this.#deployment()}: dropped ${invalid} malformed buckets from ${parsed.isolateId}`);
    this.#traffic.addToTimeline(parsed, nowMs);
    this.#evaluate(nowMs);
    this.#traffic.saveThrottled(nowMs, this.#lastVerdict);
    return this.#kv.answer();
  }

  /** Flips traffic to `cmd.to` and starts a bake (CAS on expectedEpoch); re-arms automatic rollback. */
  async flip(cmd: FlipCommand): Promise<CommandResult> {
    const parsed = parseRpc(FlipCommandSchema, cmd, "flip command");
    // A bake whose length is not known cannot start: a bad policy var refuses the flip (ConfigError).
    const policy = this.#config.strictPolicy();
    const nowMs = Date.now();
    const current = this.#store.routing(nowMs);
    const metrics = historyMetrics(current.active, this.#assess(current, nowMs, policy).assessment);
    const plan = planFlip(current, { ...parsed, metrics }, this.#store.probes(), nowMs, policy.bakeSeconds);
    if (!plan.ok) return plan;
    this.#store.commit(plan, { autoRollbackArmed: true });
    await this.#afterChange(plan.entry);
    // The bake must end on time even when the next probe is later.
    const alarm = await this.ctx.storage.getAlarm();
    if (plan.bake !== null && (alarm === null || alarm > plan.bake.endsAt)) await this.ctx.storage.setAlarm(Math.min(alarm ?? Infinity, plan.bake.endsAt));
    return { ok: true, state: plan.state, entry: plan.entry };
  }

  /** Flips back to the previous colour now; phase rolled_back. Works with bad policy vars too: the way back never closes. */
  async rollback(cmd: RollbackCommand): Promise<CommandResult> {
    const parsed = parseRpc(RollbackCommandSchema, cmd, "rollback command");
    const nowMs = Date.now();
    const current = this.#store.routing(nowMs);
    const misconfigured = this.#config.issues().length > 0;
    const metrics = misconfigured ? undefined : historyMetrics(current.active, this.#assess(current, nowMs, this.#config.strictPolicy()).assessment);
    const plan = planRollback(current, { ...parsed, ...(metrics ? { metrics } : {}) }, this.#store.probes(), nowMs);
    if (!plan.ok) return plan;
    this.#store.commit(plan);
    await this.#afterChange(plan.entry);
    return { ok: true, state: plan.state, entry: plan.entry };
  }

  /** Flips and rollbacks, newest first. */
  async history(limit: number): Promise<HistoryEntry[]> {
    return this.#store.history(limit);
  }

  /** Per-colour traffic of the last `minutes` in 5-second buckets, with flips and rollbacks marked (the dashboard's chart). */
  async timeline(minutes: number): Promise<TimelineView> {
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > TIMELINE_MAX_MINUTES) {
      throw new TypeError(`minutes must be a whole number in [1, ${TIMELINE_MAX_MINUTES}], got ${String(minutes)}`);
    }
    return timelineView(this.#traffic.timeline(), Date.now(), minutes, this.#store.history(TIMELINE_MARKER_ROWS, { changesOnly: true }));
  }

  /** Stores a colour's latest /health probe result (the alarm's, or an outside checker's); answers the routing state. */
  async recordProbe(color: Color, probe: ProbeResult): Promise<RoutingState> {
    if (!COLORS.includes(color)) throw new TypeError(`unknown colour ${String(color)}`);
    this.#record(color, parseRpc(ProbeResultSchema, probe, "probe result"), Date.now());
    void this.#alerts.deliver();
    return this.#kv.answer();
  }

  /** Everything the controller knows, for GET /admin/status; with bad policy vars, on their defaults and naming them. */
  async status(): Promise<ControllerStatus> {
    const state = await this.#kv.answer();
    const nowMs = Date.now();
    const { policy, issues } = this.#config.policy();
    const since = this.#traffic.sinceSecond();
    const windows = (color: Color) => colorWindows(this.#traffic.windows(), color, policy, nowMs / 1000, since);
    return controllerStatus({
      deployment: this.#deployment(),
      state,
      nowMs,
      bake: this.#store.bake(),
      probes: this.#store.probes(),
      windows: { blue: windows("blue"), green: windows("green") },
      policy,
      configIssues: issues,
      alertsConfigured: this.#config.webhookUrl() !== null,
      verdict: this.#lastVerdict ?? this.#store.lastVerdict(),
      autoRollbackArmed: this.#store.autoRollbackArmed(),
      outbox: this.#store.outbox(),
      lastFlip: this.#store.lastChange(),
      kvCurrent: this.#store.kvHolds(state),
      nextAlarmAt: await this.ctx.storage.getAlarm(),
      webhookUrl: this.#config.webhookUrl(),
    });
  }

  /** Cron entry point: re-arms a missing alarm (probing at once) and makes sure KV holds the current state. */
  async reconcile(): Promise<RoutingState> {
    if ((await this.ctx.storage.getAlarm()) === null) {
      console.warn(`controller ${this.#deployment()}: no alarm was set; re-arming it`);
      await this.ctx.storage.setAlarm(Date.now());
    }
    this.#kv.retryNow();
    return this.#kv.answer();
  }

  /**
   * Probes every origin, judges the active colour (rollback, bake end),
   * saves the windows, rewrites KV if it is behind and retries undelivered
   * alerts; always arms the next alarm. Every step reads the current state
   * and is safe to repeat, so a retried alarm (`isRetry`) does the same work
   * again; nothing is thrown, so retries only follow a failure to re-arm.
   * Bad policy vars are logged once per run and stop only the judging.
   */
  override async alarm(info?: AlarmInvocationInfo): Promise<void> {
    if (info?.isRetry) console.warn(`controller ${this.#deployment()}: alarm retry #${info.retryCount}`);
    try {
      // A bad router var stops only the probes, a bad policy var only the judging; each is logged once per run.
      await this.#probeAll().catch((err: unknown) => console.error(`controller ${this.#deployment()}: no probes this run`, String(err)));
      const issues = this.#config.issues();
      if (issues.length > 0) {
        console.error(`controller ${this.#deployment()}: misconfigured, so no automatic rollback and no bake end until fixed: ${issues.join("; ")}`);
      }
      const nowMs = Date.now();
      this.#evaluate(nowMs);
      this.#traffic.saveWindows(nowMs, this.#lastVerdict);
      this.#traffic.saveTimeline(nowMs);
      this.#kv.retryNow();
      await this.#kv.answer();
      await this.#alerts.deliver();
    } catch (err) {
      console.error(`controller ${this.#deployment()}: alarm failed; the next one tries again`, err);
    } finally {
      await this.ctx.storage.setAlarm(this.#nextAlarmAt(Date.now()));
    }
  }

  // ── deciding and acting ──────────────────────────────────────────────

  /** The rule's verdict on `state`'s active colour now (pure; nothing is acted on). */
  #assess(state: RoutingState, nowMs: number, policy: RolloutPolicy): { assessment: Assessment; windows: ColorWindows } {
    const windows = colorWindows(this.#traffic.windows(), state.active, policy, nowMs / 1000, this.#traffic.sinceSecond());
    const assessment = assessRollout({
      phase: state.phase,
      active: state.active,
      windows: { fast: windows.fast, slow: windows.slow },
      recent: windows.recent,
      policy,
      health: state.health,
      autoRollbackArmed: this.#store.autoRollbackArmed(),
    });
    return { assessment, windows };
  }

  /** Judges the active colour and acts on the verdict: automatic rollback, or the end of the bake; nothing while a policy var is bad. */
  #evaluate(nowMs: number): void {
    if (this.#config.issues().length > 0) return;
    const state = this.#store.routing(nowMs);
    const { assessment, windows } = this.#assess(state, nowMs, this.#config.strictPolicy());
    this.#lastVerdict = verdictRecord(assessment, state, nowMs);
    if (assessment.action === "rollback") return this.#autoRollback(state, assessment, nowMs);
    const bake = this.#store.bake(nowMs);
    if (state.phase !== "baking" || bake === null) return;
    const outcome = assessBake({ phase: state.phase, bakeDeadlineMs: bake.endsAt, nowMs, lastVerdict: assessment.verdict });
    if (outcome.outcome !== "passed") return;
    const next = planBakePassed(state, nowMs, outcome.reason);
    const version = this.#store.probes()[state.active]?.version ?? null;
    this.#store.endBake(next, this.#alerts.create("bake_passed", bakePassedText(this.#deployment(), next, version, windows.fast), nowMs));
    console.log(`controller ${this.#deployment()}: ${state.active} passed the bake (epoch ${state.epoch})`);
    void this.#afterChange(null);
  }

  #autoRollback(state: RoutingState, assessment: Assessment, nowMs: number): void {
    const cmd: RollbackCommand = {
      actor: CONTROLLER_ACTOR,
      kind: "auto",
      reason: assessment.reason.slice(0, 500),
      metrics: historyMetrics(state.active, assessment),
    };
    const plan = planRollback(state, cmd, this.#store.probes(), nowMs);
    if (!plan.ok) {
      console.error(`controller ${this.#deployment()}: automatic rollback refused (${plan.reason}): ${plan.message}`);
      return;
    }
    const alert = this.#alerts.create("auto_rollback", autoRollbackText(this.#deployment(), plan.entry), nowMs);
    this.#store.commit(plan, { autoRollbackArmed: false, ...(alert ? { alert } : {}) });
    this.#lastVerdict = verdictRecord(assessment, state, nowMs);
    this.#traffic.saveWindows(nowMs, this.#lastVerdict);
    void this.#afterChange(plan.entry);
  }

  /** After a committed change: cut the windows at it, write KV, send pending alerts, log. */
  async #afterChange(entry: HistoryEntry | null): Promise<void> {
    this.#traffic.cutAtChange();
    this.#kv.retryNow();
    if (entry !== null) {
      console.log(`controller ${this.#deployment()}: ${entry.kind} ${entry.action} ${entry.from} → ${entry.to}, epoch ${entry.epoch}, by ${entry.actor}: ${entry.reason}`);
    }
    void this.#alerts.deliver();
    await this.#kv.sync();
  }

  /** Stores a probe; alerts when the standby turns unhealthy (once per transition, not per probe). */
  #record(color: Color, probe: ProbeResult, nowMs: number): void {
    const before = this.#store.routing(nowMs);
    const { state, changed } = this.#store.recordProbe(color, probe, nowMs);
    if (!changed) return;
    this.#kv.retryNow();
    if (color === standbyOf(state) && state.health[color] === "unhealthy" && before.health[color] !== "unhealthy") {
      const alert = this.#alerts.create("standby_unhealthy", standbyUnhealthyText(this.#deployment(), color, probe), nowMs);
      if (alert) this.#store.enqueueAlert(alert);
    }
  }

  async #probeAll(): Promise<void> {
    const config = routerConfig(this.env);
    const results = await Promise.all(COLORS.map((color) => probePool(config.origins[color], config.originToken)));
    COLORS.forEach((color, i) => this.#record(color, results[i]!, Date.now()));
  }

  // ── schedule and configuration ───────────────────────────────────────

  /** The next probe, or the bake's end when that comes first. */
  #nextAlarmAt(nowMs: number): number {
    const next = nowMs + this.#config.intervalMs();
    const bake = this.#store.bake(nowMs);
    return bake !== null && bake.endsAt > nowMs ? Math.min(next, bake.endsAt) : next;
  }

  #deployment(): string {
    return this.ctx.id.name ?? this.env.DEPLOYMENT_NAME;
  }

}
