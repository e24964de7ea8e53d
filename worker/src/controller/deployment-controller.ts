/**
 * The DeploymentController Durable Object (DESIGN.md §4): one per deployment
 * (`idFromName(DEPLOYMENT_NAME)`), the authority for its routing state.
 * Reached only through the RPC methods below. Decisions come from
 * transitions.ts; this class stores them (state-store.ts), keeps the KV copy
 * current and answers every caller with the routing state.
 *
 * This issue: routing authority, flip/rollback/history, probe results as a
 * stored value, reports counted into in-memory MetricWindows. Next issue:
 * alarm probes, bake end, persisted windows and the automatic rollback
 * (rollback-policy.ts).
 */
import { DurableObject } from "cloudflare:workers";
import { routingKvKey, type RoutingState } from "../routing-state.js";
import { COLORS, type Color, type TelemetryReport } from "../telemetry-types.js";
import { MetricWindows, type WindowMetrics } from "./metric-windows.js";
import { MAX_WINDOW_SECONDS, policyFromEnv, type RolloutPolicy } from "./rollout-policy.js";
import { FlipCommandSchema, parseRpc, ProbeResultSchema, RollbackCommandSchema, TelemetryReportSchema } from "./rpc-schemas.js";
import { StateStore } from "./state-store.js";
import {
  planFlip,
  planRollback,
  type FlipCommand,
  type HistoryEntry,
  type ProbeResult,
  type Refusal,
  type RollbackCommand,
} from "./transitions.js";

/** After a failed KV write, wait this long before trying again on the next call. */
const KV_RETRY_AFTER_MS = 5_000;

/** Answer of flip and rollback. */
export type CommandResult = { ok: true; state: RoutingState; entry: HistoryEntry } | Refusal;

/** A probe result as status shows it. */
export interface ProbeView {
  ok: boolean;
  at: string;
  version: string | null;
  digest: string | null;
  error: string | null;
}

/** The controller's part of GET /admin/status. */
export interface ControllerStatus {
  deployment: string;
  state: RoutingState;
  bake: { startedAt: string; endsAt: string } | null;
  probes: Record<Color, ProbeView | null>;
  /** Fast and slow window of each colour, as counted in memory since the object started. */
  metrics: Record<Color, { fast: WindowMetrics; slow: WindowMetrics }>;
  policy: RolloutPolicy & { alertsConfigured: boolean };
  lastFlip: HistoryEntry | null;
  kvCurrent: boolean;
}

/** One deployment's routing authority; reached only through its RPC methods. */
export class DeploymentController extends DurableObject<Env> {
  readonly #store: StateStore;
  /** Counted outcomes; sized for the longest window a policy may ask for. */
  readonly #windows = new MetricWindows(MAX_WINDOW_SECONDS);
  #kvWrites: Promise<void> = Promise.resolve();
  #kvRetryAt = 0;
  #policyCache: RolloutPolicy | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new StateStore(ctx.storage);
  }

  /** The routing state. */
  async getRoutingState(): Promise<RoutingState> {
    return this.#answer();
  }

  /** Takes an isolate's batched outcomes; answers the routing state. */
  async report(report: TelemetryReport): Promise<RoutingState> {
    const parsed = parseRpc(TelemetryReportSchema, report, "telemetry report") as TelemetryReport;
    const tally = this.#windows.addReport(parsed, Date.now() / 1000);
    if (tally.invalid > 0) console.warn(`controller ${this.#deployment()}: dropped ${tally.invalid} malformed buckets from ${parsed.isolateId}`);
    return this.#answer();
  }

  /** Flips traffic to `cmd.to` and starts a bake (CAS on expectedEpoch). */
  async flip(cmd: FlipCommand): Promise<CommandResult> {
    const parsed = parseRpc(FlipCommandSchema, cmd, "flip command");
    const nowMs = Date.now();
    const plan = planFlip(this.#store.routing(nowMs), parsed, this.#store.probes(), nowMs, this.#policy().bakeSeconds);
    return this.#apply(plan);
  }

  /** Flips back to the previous colour now; phase rolled_back. */
  async rollback(cmd: RollbackCommand): Promise<CommandResult> {
    const parsed = parseRpc(RollbackCommandSchema, cmd, "rollback command");
    const nowMs = Date.now();
    const plan = planRollback(this.#store.routing(nowMs), parsed, this.#store.probes(), nowMs);
    return this.#apply(plan);
  }

  /** Flips and rollbacks, newest first. */
  async history(limit: number): Promise<HistoryEntry[]> {
    return this.#store.history(limit);
  }

  /** Stores a colour's latest /health probe result; answers the routing state. */
  async recordProbe(color: Color, probe: ProbeResult): Promise<RoutingState> {
    const parsedColor = COLORS.includes(color) ? color : null;
    if (parsedColor === null) throw new TypeError(`unknown colour ${String(color)}`);
    const { state } = this.#store.recordProbe(parsedColor, parseRpc(ProbeResultSchema, probe, "probe result"), Date.now());
    await this.#syncKv();
    return state;
  }

  /** Everything the controller knows, for GET /admin/status. */
  async status(): Promise<ControllerStatus> {
    const state = await this.#answer();
    const bake = this.#store.bake();
    const probes = this.#store.probes();
    const policy = this.#policy();
    const nowS = Date.now() / 1000;
    const windows = (color: Color) => ({
      fast: this.#windows.summarize(color, policy.fastWindowSeconds, nowS),
      slow: this.#windows.summarize(color, policy.slowWindowSeconds, nowS),
    });
    return {
      deployment: this.#deployment(),
      state,
      bake: bake && { startedAt: iso(bake.startedAt), endsAt: iso(bake.endsAt) },
      probes: { blue: probeView(probes.blue), green: probeView(probes.green) },
      metrics: { blue: windows("blue"), green: windows("green") },
      policy: { ...policy, alertsConfigured: (this.env.ALERT_WEBHOOK_URL ?? "").trim() !== "" },
      lastFlip: this.#store.history(1)[0] ?? null,
      kvCurrent: this.#store.kvHolds(state),
    };
  }

  /** Cron entry point: makes sure KV holds the current state (the next issue also arms the alarm here). */
  async reconcile(): Promise<RoutingState> {
    this.#kvRetryAt = 0;
    return this.#answer();
  }

  async #apply(plan: ReturnType<typeof planFlip>): Promise<CommandResult> {
    if (!plan.ok) return plan;
    this.#store.commit(plan);
    this.#kvRetryAt = 0;
    await this.#syncKv();
    console.log(
      `controller ${this.#deployment()}: ${plan.entry.kind} ${plan.entry.action} ${plan.entry.from} → ${plan.entry.to}, epoch ${plan.entry.epoch}, by ${plan.entry.actor}: ${plan.entry.reason}`,
    );
    return { ok: true, state: plan.state, entry: plan.entry };
  }

  /** The current state, after making sure KV holds it (at most one write per change). */
  async #answer(): Promise<RoutingState> {
    const state = this.#store.routing(Date.now());
    if (!this.#store.kvHolds(state) && Date.now() >= this.#kvRetryAt) await this.#syncKv();
    return this.#store.routing(Date.now());
  }

  /** Writes the current state to KV; writes are queued so KV never ends on an older state. */
  #syncKv(): Promise<void> {
    const write = this.#kvWrites.then(async () => {
      const state = this.#store.routing(Date.now());
      if (this.#store.kvHolds(state)) return;
      try {
        await this.env.ROUTING.put(routingKvKey(this.#deployment()), JSON.stringify(state));
        this.#store.markKvWritten(state);
      } catch (err) {
        this.#kvRetryAt = Date.now() + KV_RETRY_AFTER_MS;
        console.error(`controller ${this.#deployment()}: KV write failed; isolates keep the DO's answer`, err);
      }
    });
    this.#kvWrites = write;
    return write;
  }

  #deployment(): string {
    return this.ctx.id.name ?? this.env.DEPLOYMENT_NAME;
  }

  #policy(): RolloutPolicy {
    this.#policyCache ??= policyFromEnv(this.env);
    return this.#policyCache;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function probeView(p: ProbeResult | null): ProbeView | null {
  if (p === null) return null;
  return { ok: p.ok, at: iso(p.at), version: p.version ?? null, digest: p.digest ?? null, error: p.error ?? null };
}
