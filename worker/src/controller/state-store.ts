/**
 * The DeploymentController's durable state behind named keys and explicit
 * transition methods (docs/storage.md lists every key and table). All reads
 * and writes are synchronous SQLite-backed storage calls, so one method runs
 * without interleaving and a commit is one transaction.
 *
 * Every stored value is read through its reader (stored-shapes.ts,
 * history-rows.ts): an older shape is upgraded and written back; a value
 * that does not read is replaced by its safe default, with a warning in the
 * log and a `repair` row in the history, so no stored value can jam the
 * controller.
 */
import type { Color } from "../../../contract/colors.js";
import type { RoutingState } from "../../../contract/routing.js";
import { initialRoutingState } from "../routing-state.js";
import type { Alert } from "./alerts.js";
import type { VerdictRecord } from "./evaluation.js";
import { HISTORY_QUARANTINE_TABLE, HISTORY_TABLE } from "./history-rows.js";
import { HistoryTable } from "./history-table.js";
import type { MetricWindowsJSON } from "./metric-windows.js";
import type { RelayRegistryJSON } from "./relay-registry.js";
import { ProbeResultSchema } from "./rpc-schemas.js";
import type { Baseline } from "./baseline.js";
import type { LabelHistoryJSON } from "./label-history.js";
import { readShadowSession, type ShadowSession } from "./shadow-session.js";
import {
  readArmed,
  readBake,
  readBaseline,
  readLabelHistory,
  readKvWritten,
  readOutbox,
  readProbe,
  readRelays,
  readRouting,
  readTimeline,
  readVerdict,
  readWindows,
  type Reading,
} from "./stored-shapes.js";
import type { TimelineJSON } from "./timeline.js";
import { CONTROLLER_ACTOR, type HistoryEntry } from "../../../contract/history.js";
import type { ProbeResult } from "./rpc-schemas.js";
import { healthOf, type Bake, type Probes, type Transition } from "./transitions.js";

export { HISTORY_QUARANTINE_TABLE, HISTORY_TABLE };

/** Named keys of the object's key-value storage (ctx.storage.kv). */
export const STORAGE_KEYS = {
  /** The authoritative RoutingState. */
  routing: "routing",
  /** The bake in progress (Bake) or absent. */
  bake: "bake",
  /** Last /health probe result per colour (ProbeResult). */
  probe: (color: Color) => `probe:${color}`,
  /** {epoch, updatedAt} of the last routing state written to KV successfully. */
  kvWritten: "kv_written",
  /** The metric windows (MetricWindowsJSON), saved at most about once a second. */
  windows: "windows",
  /** false after an automatic rollback, until the next manual flip; absent = armed. */
  autoRollbackArmed: "auto_rollback_armed",
  /** The latest evaluation of the rollback rule (VerdictRecord), saved with the windows. */
  lastVerdict: "last_verdict",
  /** Alerts not yet delivered to ALERT_WEBHOOK_URL (Alert[]), oldest first. */
  alertOutbox: "alert_outbox",
  /** The dashboard's 15-minute traffic timeline (TimelineJSON), saved at most every few seconds. */
  timeline: "timeline",
  /** The relays heard and each relay instance's highest batch number taken (RelayRegistryJSON), saved with the windows. */
  relays: "relays",
  /** Per-minute label counts per colour over the last hour (LabelHistoryJSON), saved with the timeline. */
  labelHistory: "label_history",
  /** The baseline frozen at the last flip (Baseline): what the drift rule compares the bake with. */
  baseline: "baseline",
  /** The last shadowing of the standby (ShadowSession, shadow-session.ts): settings, counts, agreement series. */
  shadow: "shadow",
} as const;

/** What the store asks of its Durable Object. */
export interface StateStoreOptions {
  /** The deployment's name, for logs. */
  deployment: () => string;
  /** BAKE_SECONDS·1000, for a bake that must restart (its default when the var is bad). */
  bakeMs: () => number;
}

/** Typed access to one controller's storage. */
export class StateStore {
  readonly #storage: DurableObjectStorage;
  readonly #options: StateStoreOptions;
  readonly #history: HistoryTable;

  constructor(storage: DurableObjectStorage, options: StateStoreOptions) {
    this.#storage = storage;
    this.#options = options;
    this.#history = new HistoryTable(storage, options.deployment);
  }

  /** The routing state; a new deployment's initial state is stored on first read. */
  routing(nowMs: number): RoutingState {
    const raw = this.#storage.kv.get(STORAGE_KEYS.routing);
    if (raw === undefined) {
      const initial = initialRoutingState(nowMs);
      this.#storage.kv.put(STORAGE_KEYS.routing, initial);
      return initial;
    }
    const reading = readRouting(raw, {
      nowMs,
      health: { blue: healthOf(this.#probeLeniently("blue")), green: healthOf(this.#probeLeniently("green")) },
      highestEpoch: this.#highestEpochRecorded(),
      latestUpdatedAt: this.#kvWrittenLeniently()?.updatedAt ?? 0,
    });
    return this.#settle(STORAGE_KEYS.routing, reading, (state) => {
      this.#storage.kv.put(STORAGE_KEYS.routing, state);
      // A reset routing state is stable: a bake left behind would belong to nothing.
      if (reading.outcome === "reset" && state.phase !== "baking") this.#storage.kv.delete(STORAGE_KEYS.bake);
    }, reading.value);
  }

  /** The bake in progress, if any. */
  bake(nowMs: number = Date.now()): Bake | null {
    const raw = this.#storage.kv.get(STORAGE_KEYS.bake);
    if (raw === undefined) return null;
    const reading = readBake(raw, { baking: this.routing(nowMs).phase === "baking", nowMs, bakeMs: this.#options.bakeMs() });
    return this.#settle(STORAGE_KEYS.bake, reading, (bake) => this.#putOrDelete(STORAGE_KEYS.bake, bake));
  }

  /** Last probe of each colour. */
  probes(): Probes {
    const read = (color: Color): ProbeResult | null => {
      const key = STORAGE_KEYS.probe(color);
      const raw = this.#storage.kv.get(key);
      if (raw === undefined) return null;
      return this.#settle(key, readProbe(raw), (probe) => this.#putOrDelete(key, probe));
    };
    return { blue: read("blue"), green: read("green") };
  }

  /**
   * Applies a decided transition in one transaction: state, bake, history
   * row, the baseline a flip froze, the arming of automatic rollback when it
   * says, and the alerts that report it.
   */
  commit(t: Transition, alerts: readonly Alert[] = []): void {
    this.#storage.transactionSync(() => {
      this.#storage.kv.put(STORAGE_KEYS.routing, t.state);
      if (t.bake === null) this.#storage.kv.delete(STORAGE_KEYS.bake);
      else this.#storage.kv.put(STORAGE_KEYS.bake, t.bake);
      if (t.baseline !== undefined) this.#storage.kv.put(STORAGE_KEYS.baseline, t.baseline);
      if (t.autoRollbackArmed !== undefined) this.#storage.kv.put(STORAGE_KEYS.autoRollbackArmed, t.autoRollbackArmed);
      this.#enqueue(alerts);
      this.#history.insert(t.entry);
    });
  }

  /**
   * Stores a colour's probe result in one transaction with what it changed
   * (tick.ts planProbe): the routing state with the colour's new health,
   * when it changed, and the alerts.
   */
  recordProbe(color: Color, probe: ProbeResult, next: RoutingState | null, alerts: readonly Alert[] = []): void {
    this.#storage.transactionSync(() => {
      this.#storage.kv.put(STORAGE_KEYS.probe(color), probe);
      if (next !== null) this.#storage.kv.put(STORAGE_KEYS.routing, next);
      this.#enqueue(alerts);
    });
  }

  /** Ends a bake that passed: the new state (phase stable), no bake, and the alerts, in one transaction. */
  endBake(state: RoutingState, alerts: readonly Alert[] = []): void {
    this.#storage.transactionSync(() => {
      this.#storage.kv.put(STORAGE_KEYS.routing, state);
      this.#storage.kv.delete(STORAGE_KEYS.bake);
      this.#enqueue(alerts);
    });
  }

  /** The last shadowing, or null (none yet; a value that does not read is dropped, with a warning). */
  shadowSession(): ShadowSession | null {
    const { session, problem } = readShadowSession(this.#storage.kv.get(STORAGE_KEYS.shadow));
    if (problem !== null) {
      console.warn(`controller ${this.#options.deployment()}: stored shadowing does not read (${problem}); dropping it`);
      this.#storage.kv.delete(STORAGE_KEYS.shadow);
    }
    return session;
  }

  /** Stores a shadowing, with the routing state that turns mirroring on or off and its history rows, in one transaction. */
  saveShadow(session: ShadowSession, state: RoutingState | null = null, entries: readonly HistoryEntry[] = []): void {
    this.#storage.transactionSync(() => {
      this.#storage.kv.put(STORAGE_KEYS.shadow, session);
      if (state !== null) this.#storage.kv.put(STORAGE_KEYS.routing, state);
      for (const e of entries) this.#history.insert(e);
    });
  }

  /** Whether an automatic rollback may happen (one per deployment until the next manual flip). */
  autoRollbackArmed(): boolean {
    const raw = this.#storage.kv.get(STORAGE_KEYS.autoRollbackArmed);
    return this.#settle(STORAGE_KEYS.autoRollbackArmed, readArmed(raw), () => this.#storage.kv.delete(STORAGE_KEYS.autoRollbackArmed));
  }

  /** The stored metric windows, or null (none yet, or reset). */
  windows(): MetricWindowsJSON | null {
    return this.#readDroppable(STORAGE_KEYS.windows, readWindows);
  }

  /**
   * Stores the metric windows and the latest verdict, and with them the
   * relays' batch numbers when given: in one transaction, so the stored
   * numbers always name exactly the batches the stored windows hold.
   */
  saveWindows(json: unknown, verdict: VerdictRecord | null, relays: RelayRegistryJSON | null = null): void {
    this.#storage.transactionSync(() => {
      this.#storage.kv.put(STORAGE_KEYS.windows, json);
      if (verdict !== null) this.#storage.kv.put(STORAGE_KEYS.lastVerdict, verdict);
      if (relays !== null) this.#storage.kv.put(STORAGE_KEYS.relays, relays);
    });
  }

  /** The stored relay registry, or null (none yet, or reset). */
  relays(): RelayRegistryJSON | null {
    return this.#readDroppable(STORAGE_KEYS.relays, readRelays);
  }

  /** The stored timeline, or null (none yet, or reset). */
  timeline(): TimelineJSON | null {
    return this.#readDroppable(STORAGE_KEYS.timeline, readTimeline);
  }

  /** Stores the timeline. */
  saveTimeline(json: unknown): void {
    this.#storage.kv.put(STORAGE_KEYS.timeline, json);
  }

  /** The stored label history, or null (none yet, or reset). */
  labelHistory(): LabelHistoryJSON | null {
    return this.#readDroppable(STORAGE_KEYS.labelHistory, readLabelHistory);
  }

  /** Stores the label history. */
  saveLabelHistory(json: unknown): void {
    this.#storage.kv.put(STORAGE_KEYS.labelHistory, json);
  }

  /** The baseline frozen at the last flip, or null (none yet, or reset). */
  baseline(): Baseline | null {
    return this.#readDroppable(STORAGE_KEYS.baseline, readBaseline);
  }

  /** The latest stored verdict, or null (none yet, or reset). */
  lastVerdict(): VerdictRecord | null {
    return this.#readDroppable(STORAGE_KEYS.lastVerdict, readVerdict);
  }

  /** Undelivered alerts, oldest first. */
  outbox(): Alert[] {
    const raw = this.#storage.kv.get(STORAGE_KEYS.alertOutbox);
    if (raw === undefined) return [];
    return this.#settle(STORAGE_KEYS.alertOutbox, readOutbox(raw), (alerts) => this.saveOutbox(alerts));
  }

  /** Replaces the outbox (after pruning). */
  saveOutbox(alerts: Alert[]): void {
    if (alerts.length === 0) this.#storage.kv.delete(STORAGE_KEYS.alertOutbox);
    else this.#storage.kv.put(STORAGE_KEYS.alertOutbox, alerts);
  }

  /** Removes a delivered alert, or records a failed attempt at it. */
  settleAlert(id: string, outcome: { delivered: true } | { delivered: false; error: string; atMs: number }): void {
    const next = this.outbox().flatMap((a): Alert[] => {
      if (a.id !== id) return [a];
      if (outcome.delivered) return [];
      return [{ ...a, attempts: a.attempts + 1, lastAttemptAt: outcome.atMs, lastError: outcome.error }];
    });
    this.saveOutbox(next);
  }

  /** Unix ms of the last flip or rollback, or null on a deployment that never changed. */
  lastChangeAtMs(): number | null {
    const at = this.lastChange()?.at;
    return at === undefined ? null : Date.parse(at);
  }

  /** The last flip or rollback (repairs are not changes of the traffic), or null. */
  lastChange(): HistoryEntry | null {
    return this.history(1, { changesOnly: true })[0] ?? null;
  }

  /** History rows, newest first: flips, rollbacks and repairs, or only flips and rollbacks. */
  history(limit: number, options: { changesOnly?: boolean } = {}): HistoryEntry[] {
    this.#history.checkOnce((summary) => this.#recordRepair(`${HISTORY_TABLE}: ${summary}`, HISTORY_TABLE));
    return this.#history.list(limit, options.changesOnly ?? false);
  }

  /** Whether KV already holds this version of the routing state. */
  kvHolds(state: RoutingState): boolean {
    const raw = this.#storage.kv.get(STORAGE_KEYS.kvWritten);
    if (raw === undefined) return false;
    const written = this.#settle(STORAGE_KEYS.kvWritten, readKvWritten(raw), () => this.#storage.kv.delete(STORAGE_KEYS.kvWritten));
    return written !== null && written.epoch === state.epoch && written.updatedAt === state.updatedAt;
  }

  /** Records that KV now holds this version. */
  markKvWritten(state: RoutingState): void {
    this.#storage.kv.put(STORAGE_KEYS.kvWritten, { epoch: state.epoch, updatedAt: state.updatedAt });
  }

  // ── readers' plumbing ────────────────────────────────────────────────

  /**
   * Acts on a reading: a current value is answered as is; an upgraded one is
   * written back (logged once); a reset one is written back, warned about
   * and recorded as a repair, in one transaction — so each happens once.
   * `routingAfter` is the routing state to record the repair against, when
   * the routing state itself is what was repaired.
   */
  /** A key whose unreadable value is dropped (read as null, deleted, a repair row): null when it is absent. */
  #readDroppable<T>(key: string, read: (raw: unknown) => Reading<T | null>): T | null {
    const raw = this.#storage.kv.get(key);
    if (raw === undefined) return null;
    return this.#settle(key, read(raw), () => this.#storage.kv.delete(key));
  }

  #settle<T>(key: string, reading: Reading<T>, writeBack: (value: T) => void, routingAfter?: RoutingState): T {
    if (reading.outcome === "current") return reading.value;
    const deployment = this.#options.deployment();
    if (reading.outcome === "upgraded") {
      writeBack(reading.value);
      console.log(`controller ${deployment}: upgraded stored ${key} from ${reading.from}`);
      return reading.value;
    }
    this.#storage.transactionSync(() => {
      writeBack(reading.value);
      this.#recordRepair(`${key}: ${reading.problem}; ${reading.fix}`, key, routingAfter);
    });
    console.warn(`controller ${deployment}: stored ${key} was unreadable (${reading.problem}); ${reading.fix}`);
    return reading.value;
  }

  /** Adds a `repair` row: who (the controller), what and against which routing state. */
  #recordRepair(reason: string, key: string, routingAfter?: RoutingState): void {
    const state = routingAfter ?? this.routing(Date.now());
    this.#history.insert({
      at: new Date().toISOString(),
      from: state.active,
      to: state.active,
      epoch: state.epoch,
      kind: "auto",
      action: "repair",
      reason: reason.slice(0, 500),
      actor: CONTROLLER_ACTOR,
      metrics: { storageKey: key },
    });
  }

  // The routing state's rebuild reads these without repairing them, so no reader waits on another.
  #probeLeniently(color: Color): ProbeResult | null {
    const parsed = ProbeResultSchema.safeParse(this.#storage.kv.get(STORAGE_KEYS.probe(color)));
    return parsed.success ? parsed.data : null;
  }

  #kvWrittenLeniently(): { epoch: number; updatedAt: number } | null {
    const reading = readKvWritten(this.#storage.kv.get(STORAGE_KEYS.kvWritten));
    return reading.outcome === "current" ? reading.value : null;
  }

  #highestEpochRecorded(): number {
    return Math.max(this.#history.highestEpoch(), this.#kvWrittenLeniently()?.epoch ?? 0);
  }

  #putOrDelete(key: string, value: unknown): void {
    if (value === null) this.#storage.kv.delete(key);
    else this.#storage.kv.put(key, value);
  }

  #enqueue(alerts: readonly Alert[]): void {
    if (alerts.length > 0) this.saveOutbox([...this.outbox(), ...alerts]);
  }
}
