/**
 * The DeploymentController Durable Object (docs/architecture.md
 * "Controller"): one per deployment (`idFromName(DEPLOYMENT_NAME)`), the
 * authority for its routing state. Reached only through the RPC methods
 * below, and woken by its alarm.
 *
 * It decides nothing itself: tick.ts decides what a report, a relay's
 * forward, an alarm and a probe change (automatic rollback, the bake's end,
 * health, alerts, the alarm's schedule), transitions.ts plans flips and
 * rollbacks, rollback-policy.ts judges the windows, and relay-registry.ts
 * takes each relay batch once and sets the relays' schedule. This class
 * loads what those read (state-store.ts, with the windows, timeline and
 * relay registry in traffic-memory.ts), calls them, stores what they decide,
 * keeps the KV copy current (kv-sync.ts), answers every caller with the
 * routing state, pushes every change to the relays it heard from recently
 * and sends the alerts (alert-outbox.ts).
 */
import { DurableObject } from "cloudflare:workers";
import { TIMELINE_MAX_MINUTES } from "../../../contract/admin.js";
import { COLORS, type Color } from "../../../contract/colors.js";
import type { HistoryEntry } from "../../../contract/history.js";
import type { RolloutPolicy } from "../../../contract/policy.js";
import type { RoutingState } from "../../../contract/routing.js";
import type { ShadowView } from "../../../contract/shadow.js";
import { TelemetryEnvelopeSchema, type TelemetryReport } from "../../../contract/telemetry.js";
import type { TimelineView } from "../../../contract/timeline.js";
import { routerConfig } from "../config.js";
import { RelayForwardEnvelope, type ForwardAnswer, type RelayForward } from "../relay/relay-messages.js";
import { pushToRelays } from "./relay-push.js";
import { AlertOutbox } from "./alert-outbox.js";
import type { Alert } from "./alerts.js";
import { baselineFigures, freezeBaseline } from "./baseline.js";
import { assessDrift } from "./drift-rule.js";
import { ControllerConfig } from "./controller-config.js";
import { colorWindows, historyMetrics, type VerdictRecord } from "./evaluation.js";
import { probePool } from "./health-probe.js";
import { KvSync } from "./kv-sync.js";
import { FlipCommandSchema, parseRpc, ProbeResultSchema, RollbackCommandSchema, ShadowActorSchema, ShadowStartCommandSchema, type ProbeResult } from "./rpc-schemas.js";
import { ShadowControl, type ShadowStartCommand } from "./shadow-control.js";
import { StateStore } from "./state-store.js";
import { controllerStatus, type ControllerStatus } from "./status.js";
import { alarmAfterFlip, assessActive, nextAlarmAt, planProbe, planTick, type AlertDraft, type JudgeInput, type LogLine } from "./tick.js";
import { timelineView } from "./timeline.js";
import { TrafficMemory } from "./traffic-memory.js";
import { planFlip, planRollback, type FlipCommand, type Refusal, type RollbackCommand } from "./transitions.js";

/** History rows read for the timeline's flip and rollback markers. */
const TIMELINE_MARKER_ROWS = 100;

/** Answer of flip and rollback. */
export type CommandResult = { ok: true; state: RoutingState; entry: HistoryEntry } | Refusal;
export type { ControllerStatus };

/** Where the controller reads the time. */
export interface Clock {
  now(): number;
}

/** The system clock. */
const SYSTEM_CLOCK: Clock = { now: () => Date.now() };

/** One deployment's routing authority; reached only through its RPC methods. */
export class DeploymentController extends DurableObject<Env> {
  /**
   * Where every decision reads the time: the system clock. Tests set a fixed
   * one through runInDurableObject so that what they assert does not depend
   * on when a second or a timeline bucket turns; an instance field is not
   * reachable over RPC.
   */
  clock: Clock = SYSTEM_CLOCK;
  readonly #store: StateStore;
  readonly #traffic: TrafficMemory;
  readonly #alerts: AlertOutbox;
  readonly #kv: KvSync;
  readonly #config: ControllerConfig;
  readonly #shadow: ShadowControl;
  #lastVerdict: VerdictRecord | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#config = new ControllerConfig(() => this.env);
    const deployment = () => this.#deployment();
    this.#store = new StateStore(ctx.storage, { deployment, bakeMs: () => this.#config.policy().policy.bakeSeconds * 1000 });
    this.#traffic = new TrafficMemory(this.#store, { deployment, capacitySeconds: () => this.#config.policy().policy.slowWindowSeconds });
    this.#alerts = new AlertOutbox(this.#store, { deployment, webhookUrl: () => this.#config.webhookUrl() });
    this.#kv = new KvSync(this.#store, { deployment, kv: () => this.env.ROUTING });
    this.#shadow = new ShadowControl(this.#store, { deployment, env: () => this.env, maxErrorRate: () => this.#config.policy().policy.maxErrorRate });
    // The probe schedule starts with the object; the minutely cron re-arms it should it ever be lost.
    // On first start (no alarm yet) the first probe runs at once, before any call is answered,
    // so health is known from the start rather than one HEALTH_INTERVAL_SECONDS later.
    void ctx.blockConcurrencyWhile(async () => {
      try {
        if ((await ctx.storage.getAlarm()) !== null) return;
        await ctx.storage.setAlarm(this.clock.now() + this.#config.intervalMs());
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
    const nowMs = this.clock.now();
    const invalid = this.#traffic.addToWindows(parsed, nowMs);
    if (invalid > 0) console.warn(`controller ${this.#deployment()}: dropped ${invalid} malformed buckets from ${parsed.isolateId}`);
    this.#traffic.addToTimeline(parsed, nowMs);
    this.#tick(nowMs);
    this.#traffic.saveThrottled(nowMs, this.#lastVerdict);
    this.#shadow.fold(parsed.buckets);
    if (this.#shadow.settle(nowMs)) this.#kv.retryNow();
    return this.#kv.answer();
  }

  /**
   * Takes a relay's forward (docs/scale.md): its batches not taken before
   * count in the windows and the timeline as reports do, then the active
   * colour is judged; answers the routing state with the relay's schedule
   * (relay-registry.ts). A batch resent after a lost answer is not counted
   * again.
   */
  async forward(forward: RelayForward): Promise<ForwardAnswer> {
    const parsed = parseRpc(RelayForwardEnvelope, forward, "relay forward");
    const nowMs = this.clock.now();
    const schedule = { earlyErrorRate: this.#config.policy().policy.maxErrorRate, floorMs: this.#config.reportIntervalMs() };
    const { fresh, answer } = this.#traffic.acceptForward(parsed, nowMs, schedule);
    let invalid = 0;
    for (const batch of fresh) {
      const report = { isolateId: parsed.relay, buckets: batch.buckets };
      invalid += this.#traffic.addToWindows(report, nowMs);
      this.#traffic.addToTimeline(report, nowMs);
      this.#shadow.fold(batch.buckets);
    }
    if (invalid > 0) console.warn(`controller ${this.#deployment()}: dropped ${invalid} malformed buckets from ${parsed.relay}`);
    if (fresh.length > 0) this.#tick(nowMs);
    this.#traffic.saveThrottled(nowMs, this.#lastVerdict);
    if (this.#shadow.settle(nowMs)) this.#kv.retryNow();
    return { ...answer, state: await this.#kv.answer() };
  }

  /** Flips traffic to `cmd.to` and starts a bake (CAS on expectedEpoch); re-arms automatic rollback. */
  async flip(cmd: FlipCommand): Promise<CommandResult> {
    const parsed = parseRpc(FlipCommandSchema, cmd, "flip command");
    // A bake whose length is not known cannot start: a bad policy var refuses the flip (ConfigError).
    const policy = this.#config.strictPolicy();
    const nowMs = this.clock.now();
    const current = this.#store.routing(nowMs);
    // The outgoing colour's label mix over its last BASELINE_MINUTES, frozen as the bake's baseline (drift rule).
    const baseline = freezeBaseline(this.#traffic.labelHistory(), current.active, current.epoch + 1, nowMs, policy);
    const metrics = { ...historyMetrics(current.active, assessActive(this.#judged(current, nowMs, policy))), ...baselineFigures(baseline, policy) };
    const plan = planFlip(current, { ...parsed, metrics, baseline }, this.#store.probes(), nowMs, policy.bakeSeconds);
    if (!plan.ok) return plan;
    this.#store.commit(plan);
    this.#shadow.settle(nowMs);
    await this.#afterChange(plan.entry);
    const alarm = alarmAfterFlip(await this.ctx.storage.getAlarm(), plan.bake);
    if (alarm !== null) await this.ctx.storage.setAlarm(alarm);
    return { ok: true, state: plan.state, entry: plan.entry };
  }

  /** Flips back to the previous colour now; phase rolled_back. Works with bad policy vars too: the way back never closes. */
  async rollback(cmd: RollbackCommand): Promise<CommandResult> {
    const parsed = parseRpc(RollbackCommandSchema, cmd, "rollback command");
    const nowMs = this.clock.now();
    const current = this.#store.routing(nowMs);
    const misconfigured = this.#config.issues().length > 0;
    const metrics = misconfigured ? undefined : historyMetrics(current.active, assessActive(this.#judged(current, nowMs, this.#config.strictPolicy())));
    const plan = planRollback(current, { ...parsed, ...(metrics ? { metrics } : {}) }, this.#store.probes(), nowMs);
    if (!plan.ok) return plan;
    this.#store.commit(plan);
    this.#shadow.settle(nowMs);
    await this.#afterChange(plan.entry);
    return { ok: true, state: plan.state, entry: plan.entry };
  }

  /** Starts mirroring a sample of the predictions to the standby (POST /admin/shadow); answers the shadowing and the routing state that turns it on. */
  async startShadow(cmd: ShadowStartCommand): Promise<{ shadow: ShadowView; state: RoutingState }> {
    const parsed = parseRpc(ShadowStartCommandSchema, cmd, "shadow command");
    const shadow = this.#shadow.start(parsed, this.clock.now());
    this.#kv.retryNow();
    return { shadow, state: await this.#kv.answer() };
  }

  /** Stops mirroring (DELETE /admin/shadow); answers the last shadowing (null: never one) and the routing state. */
  async stopShadow(actor: string): Promise<{ shadow: ShadowView | null; state: RoutingState }> {
    const shadow = this.#shadow.stop(parseRpc(ShadowActorSchema, actor, "actor"), this.clock.now());
    this.#kv.retryNow();
    return { shadow, state: await this.#kv.answer() };
  }

  /** The last shadowing, judged by the shadow gate now; null when there never was one. */
  async shadow(): Promise<ShadowView | null> {
    if (this.#shadow.settle(this.clock.now())) this.#kv.retryNow();
    return this.#shadow.view();
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
    return timelineView(this.#traffic.timeline(), this.clock.now(), minutes, this.#store.history(TIMELINE_MARKER_ROWS, { changesOnly: true }));
  }

  /** Stores a colour's latest /health probe result (the alarm's, or an outside checker's); answers the routing state. */
  async recordProbe(color: Color, probe: ProbeResult): Promise<RoutingState> {
    if (!COLORS.includes(color)) throw new TypeError(`unknown colour ${String(color)}`);
    this.#record(color, parseRpc(ProbeResultSchema, probe, "probe result"), this.clock.now());
    this.#deliverAlerts();
    return this.#kv.answer();
  }

  /** Everything the controller knows, for GET /admin/status; with bad policy vars, on their defaults and naming them. */
  async status(): Promise<ControllerStatus> {
    if (this.#shadow.settle(this.clock.now())) this.#kv.retryNow();
    const state = await this.#kv.answer();
    const nowMs = this.clock.now();
    const { policy, issues } = this.#config.policy();
    const since = this.#traffic.sinceSecond();
    const windows = (color: Color) => colorWindows(this.#traffic.windows(), color, policy, nowMs / 1000, since);
    const colors = { blue: windows("blue"), green: windows("green") };
    const baseline = this.#store.baseline();
    const drift = assessDrift(
      { phase: state.phase, epoch: state.epoch, baseline, windows: colors[state.active].labels, policy },
      { fast: policy.fastWindowSeconds, slow: policy.slowWindowSeconds },
    );
    return controllerStatus({
      deployment: this.#deployment(),
      state,
      nowMs,
      bake: this.#store.bake(nowMs),
      probes: this.#store.probes(),
      windows: colors,
      policy,
      drift,
      baseline,
      configIssues: issues,
      alertsConfigured: this.#config.webhookUrl() !== null,
      verdict: this.#lastVerdict ?? this.#store.lastVerdict(),
      autoRollbackArmed: this.#store.autoRollbackArmed(),
      outbox: this.#store.outbox(),
      lastFlip: this.#store.lastChange(),
      kvCurrent: this.#store.kvHolds(state),
      nextAlarmAt: await this.ctx.storage.getAlarm(),
      webhookUrl: this.#config.webhookUrl(),
      shadow: this.#shadow.view(),
    });
  }

  /** Cron entry point: re-arms a missing alarm (probing at once) and makes sure KV holds the current state. */
  async reconcile(): Promise<RoutingState> {
    if ((await this.ctx.storage.getAlarm()) === null) {
      console.warn(`controller ${this.#deployment()}: no alarm was set; re-arming it`);
      await this.ctx.storage.setAlarm(this.clock.now());
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
      const nowMs = this.clock.now();
      this.#tick(nowMs);
      this.#shadow.settle(nowMs);
      this.#traffic.saveWindows(nowMs, this.#lastVerdict);
      this.#traffic.saveTimeline(nowMs);
      this.#kv.retryNow();
      await this.#kv.answer();
      await this.#alerts.deliver();
    } catch (err) {
      console.error(`controller ${this.#deployment()}: alarm failed; the next one tries again`, err);
    } finally {
      // Scheduled from when this run ended (delivering alerts may take seconds), and after a failed run too.
      const nowMs = this.clock.now();
      await this.ctx.storage.setAlarm(nextAlarmAt(nowMs, this.#config.intervalMs(), this.#store.bake(nowMs)));
    }
  }

  // ── loading, storing and sending what tick.ts decides ──────────────

  /** What the rule reads about `state`'s active colour now. */
  #judged(state: RoutingState, nowMs: number, policy: RolloutPolicy): JudgeInput {
    const windows = colorWindows(this.#traffic.windows(), state.active, policy, nowMs / 1000, this.#traffic.sinceSecond());
    // The baseline matters only to a bake's drift rule: not read (and parsed) on every other report.
    const baseline = state.phase === "baking" ? this.#store.baseline() : null;
    return { state, windows, policy, autoRollbackArmed: this.#store.autoRollbackArmed(), baseline };
  }

  /** One evaluation (report or alarm): loads, calls planTick, stores and sends what it decided. */
  #tick(nowMs: number): void {
    const fallback = this.#config.policy();
    const state = this.#store.routing(nowMs);
    const plan = planTick({
      ...this.#judged(state, nowMs, fallback.policy),
      policy: fallback,
      deployment: this.#deployment(),
      nowMs,
      bake: this.#store.bake(nowMs),
      probes: this.#store.probes(),
    });
    this.#log(plan.log);
    if (plan.verdict !== null) this.#lastVerdict = plan.verdict;
    const change = plan.change;
    if (change === null) return;
    const alerts = this.#alertsOf(plan.alerts, nowMs);
    if (change.kind === "auto_rollback") {
      this.#store.commit(change.transition, alerts);
      this.#shadow.settle(nowMs);
      this.#traffic.saveWindows(nowMs, this.#lastVerdict);
      this.#inBackground("after the automatic rollback", this.#afterChange(change.transition.entry));
    } else {
      this.#store.endBake(change.state, alerts);
      this.#inBackground("after the bake passed", this.#afterChange(null));
    }
  }

  /** After a committed change: cut the windows at it, push it to the relays, write KV, send pending alerts, log. */
  async #afterChange(entry: HistoryEntry | null): Promise<void> {
    this.#traffic.cutAtChange();
    this.#pushToRelays();
    this.#kv.retryNow();
    if (entry !== null) {
      console.log(`controller ${this.#deployment()}: ${entry.kind} ${entry.action} ${entry.from} → ${entry.to}, epoch ${entry.epoch}, by ${entry.actor}: ${entry.reason}`);
    }
    this.#deliverAlerts();
    await this.#kv.sync();
  }

  /** Stores a probe with what it changes (tick.ts planProbe). */
  #record(color: Color, probe: ProbeResult, nowMs: number): void {
    const plan = planProbe({ deployment: this.#deployment(), nowMs, state: this.#store.routing(nowMs), color, probe });
    this.#store.recordProbe(color, probe, plan.state, this.#alertsOf(plan.alerts, nowMs));
    if (plan.state === null) return;
    this.#kv.retryNow();
    this.#pushToRelays();
  }

  /**
   * Sends the routing state to every relay heard from recently
   * (relay-registry.ts pushTargets), one call each, in the background: the
   * change is committed and answered without waiting. A relay that misses it
   * takes the state from its next forward's answer.
   */
  #pushToRelays(): void {
    const nowMs = this.clock.now();
    const targets = this.#traffic.relays().pushTargets(nowMs);
    if (targets.length === 0) return;
    const state = this.#store.routing(nowMs);
    const push = pushToRelays(this.env, targets, state).then(({ failed }) => {
      if (failed.length === 0) return;
      console.warn(`controller ${this.#deployment()}: push of epoch ${state.epoch} failed for ${failed.length} of ${targets.length} relays (they take it from their next forward's answer); first: ${failed[0]}`);
    });
    this.#inBackground("the push to the relays", push);
  }

  async #probeAll(): Promise<void> {
    const config = routerConfig(this.env);
    const results = await Promise.all(COLORS.map((color) => probePool(config.origins[color], config.originToken)));
    COLORS.forEach((color, i) => this.#record(color, results[i]!, this.clock.now()));
  }

  /** The outbox's alerts for the drafts (none, only logged, when no webhook is set). */
  #alertsOf(drafts: readonly AlertDraft[], nowMs: number): Alert[] {
    return drafts.flatMap((d) => this.#alerts.create(d.kind, d.text, nowMs) ?? []);
  }

  /** Posts the outbox without waiting; a failure is logged (the next alarm retries). */
  #deliverAlerts(): void {
    this.#inBackground("alert delivery", this.#alerts.deliver());
  }

  /** Lets `work` finish on its own; a failure is logged, never an unhandled rejection. */
  #inBackground(what: string, work: Promise<void>): void {
    work.catch((err: unknown) => console.error(`controller ${this.#deployment()}: ${what} failed`, err));
  }

  #log(lines: readonly LogLine[]): void {
    for (const line of lines) {
      const message = `controller ${this.#deployment()}: ${line.message}`;
      if (line.level === "error") console.error(message);
      else console.log(message);
    }
  }

  #deployment(): string {
    return this.ctx.id.name ?? this.env.DEPLOYMENT_NAME;
  }
}
