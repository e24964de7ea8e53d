/**
 * The DeploymentController's durable state behind named keys and explicit
 * transition methods (docs/storage.md lists every key and table). All reads
 * and writes are synchronous SQLite-backed storage calls, so one method runs
 * without interleaving and a commit is one transaction.
 */
import { z } from "zod";
import { initialRoutingState, RoutingStateSchema, type RoutingState } from "../routing-state.js";
import { COLORS, type Color } from "../telemetry-types.js";
import { AlertSchema, type Alert } from "./alerts.js";
import { VerdictRecordSchema, type VerdictRecord } from "./evaluation.js";
import { ProbeResultSchema } from "./rpc-schemas.js";
import { healthOf, type Bake, type HistoryEntry, type Metrics, type ProbeResult, type Probes, type Transition } from "./transitions.js";

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
} as const;

/** The SQLite table of flips and rollbacks. */
export const HISTORY_TABLE = "history";

const MAX_HISTORY_LIMIT = 500;

const BakeSchema = z.object({ startedAt: z.number(), endsAt: z.number() });
const KvWrittenSchema = z.object({ epoch: z.number(), updatedAt: z.number() });

type HistoryRow = {
  at: string;
  from_color: string;
  to_color: string;
  epoch: number;
  kind: string;
  action: string;
  reason: string;
  actor: string;
  metrics: string | null;
};

/** Typed access to one controller's storage. */
export class StateStore {
  readonly #storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    storage.sql.exec(`CREATE TABLE IF NOT EXISTS ${HISTORY_TABLE} (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at TEXT NOT NULL,
      from_color TEXT NOT NULL,
      to_color TEXT NOT NULL,
      epoch INTEGER NOT NULL,
      kind TEXT NOT NULL,
      action TEXT NOT NULL,
      reason TEXT NOT NULL,
      actor TEXT NOT NULL,
      metrics TEXT
    )`);
  }

  /** The routing state; a new deployment's initial state is stored on first read. */
  routing(nowMs: number): RoutingState {
    const raw = this.#storage.kv.get(STORAGE_KEYS.routing);
    if (raw !== undefined) return RoutingStateSchema.parse(raw);
    const initial = initialRoutingState(nowMs);
    this.#storage.kv.put(STORAGE_KEYS.routing, initial);
    return initial;
  }

  /** The bake in progress, if any. */
  bake(): Bake | null {
    const raw = this.#storage.kv.get(STORAGE_KEYS.bake);
    return raw === undefined ? null : BakeSchema.parse(raw);
  }

  /** Last probe of each colour. */
  probes(): Probes {
    const read = (color: Color) => {
      const raw = this.#storage.kv.get(STORAGE_KEYS.probe(color));
      return raw === undefined ? null : (ProbeResultSchema.parse(raw) as ProbeResult);
    };
    return { blue: read("blue"), green: read("green") };
  }

  /**
   * Applies a decided transition in one transaction: state, bake, history
   * row, and with it the arming of automatic rollback and the alert that
   * reports it, when given.
   */
  commit(t: Transition, extras: { autoRollbackArmed?: boolean; alert?: Alert } = {}): void {
    this.#storage.transactionSync(() => {
      this.#storage.kv.put(STORAGE_KEYS.routing, t.state);
      if (t.bake === null) this.#storage.kv.delete(STORAGE_KEYS.bake);
      else this.#storage.kv.put(STORAGE_KEYS.bake, t.bake);
      if (extras.autoRollbackArmed !== undefined) this.#storage.kv.put(STORAGE_KEYS.autoRollbackArmed, extras.autoRollbackArmed);
      if (extras.alert !== undefined) this.#enqueue(extras.alert);
      const e = t.entry;
      this.#storage.sql.exec(
        `INSERT INTO ${HISTORY_TABLE} (at, from_color, to_color, epoch, kind, action, reason, actor, metrics)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        e.at, e.from, e.to, e.epoch, e.kind, e.action, e.reason, e.actor,
        e.metrics === null ? null : JSON.stringify(e.metrics),
      );
    });
  }

  /**
   * Stores a colour's probe result. When the colour's health status changes,
   * the routing state's `health` (and `updatedAt`) change with it; answers
   * the state and whether it changed.
   */
  recordProbe(color: Color, probe: ProbeResult, nowMs: number): { state: RoutingState; changed: boolean } {
    return this.#storage.transactionSync(() => {
      this.#storage.kv.put(STORAGE_KEYS.probe(color), probe);
      const state = this.routing(nowMs);
      const health = healthOf(probe);
      if (state.health[color] === health) return { state, changed: false };
      const next: RoutingState = {
        ...state,
        health: { ...state.health, [color]: health },
        updatedAt: Math.max(nowMs, state.updatedAt + 1),
      };
      this.#storage.kv.put(STORAGE_KEYS.routing, next);
      return { state: next, changed: true };
    });
  }

  /** Ends a bake that passed: the new state (phase stable), no bake, and the alert, in one transaction. */
  endBake(state: RoutingState, alert?: Alert): void {
    this.#storage.transactionSync(() => {
      this.#storage.kv.put(STORAGE_KEYS.routing, state);
      this.#storage.kv.delete(STORAGE_KEYS.bake);
      if (alert !== undefined) this.#enqueue(alert);
    });
  }

  /** Whether an automatic rollback may happen (one per deployment until the next manual flip). */
  autoRollbackArmed(): boolean {
    return this.#storage.kv.get(STORAGE_KEYS.autoRollbackArmed) !== false;
  }

  /** The stored metric windows (MetricWindows.fromJSON checks them), or null. */
  windows(): unknown {
    return this.#storage.kv.get(STORAGE_KEYS.windows) ?? null;
  }

  /** Stores the metric windows and the latest verdict. */
  saveWindows(json: unknown, verdict: VerdictRecord | null): void {
    this.#storage.transactionSync(() => {
      this.#storage.kv.put(STORAGE_KEYS.windows, json);
      if (verdict !== null) this.#storage.kv.put(STORAGE_KEYS.lastVerdict, verdict);
    });
  }

  /** The stored timeline (Timeline.fromJSON checks it), or null. */
  timeline(): unknown {
    return this.#storage.kv.get(STORAGE_KEYS.timeline) ?? null;
  }

  /** Stores the timeline. */
  saveTimeline(json: unknown): void {
    this.#storage.kv.put(STORAGE_KEYS.timeline, json);
  }

  /** The latest stored verdict, or null (none yet, or unreadable). */
  lastVerdict(): VerdictRecord | null {
    const parsed = VerdictRecordSchema.safeParse(this.#storage.kv.get(STORAGE_KEYS.lastVerdict));
    return parsed.success ? parsed.data : null;
  }

  /** Undelivered alerts, oldest first. */
  outbox(): Alert[] {
    const parsed = z.array(AlertSchema).safeParse(this.#storage.kv.get(STORAGE_KEYS.alertOutbox) ?? []);
    return parsed.success ? parsed.data : [];
  }

  /** Adds an alert to the outbox. */
  enqueueAlert(alert: Alert): void {
    this.#enqueue(alert);
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
    const row = this.#storage.sql.exec<{ at: string }>(`SELECT at FROM ${HISTORY_TABLE} ORDER BY id DESC LIMIT 1`).toArray()[0];
    if (row === undefined) return null;
    const ms = Date.parse(row.at);
    return Number.isFinite(ms) ? ms : null;
  }

  /** Flips and rollbacks, newest first. */
  history(limit: number): HistoryEntry[] {
    const n = Math.min(Math.max(1, Math.floor(limit)), MAX_HISTORY_LIMIT);
    return this.#storage.sql
      .exec<HistoryRow>(`SELECT * FROM ${HISTORY_TABLE} ORDER BY id DESC LIMIT ?`, n)
      .toArray()
      .map(toEntry);
  }

  /** Whether KV already holds this version of the routing state. */
  kvHolds(state: RoutingState): boolean {
    const raw = this.#storage.kv.get(STORAGE_KEYS.kvWritten);
    if (raw === undefined) return false;
    const written = KvWrittenSchema.parse(raw);
    return written.epoch === state.epoch && written.updatedAt === state.updatedAt;
  }

  #enqueue(alert: Alert): void {
    this.saveOutbox([...this.outbox(), alert]);
  }

  /** Records that KV now holds this version. */
  markKvWritten(state: RoutingState): void {
    this.#storage.kv.put(STORAGE_KEYS.kvWritten, { epoch: state.epoch, updatedAt: state.updatedAt });
  }
}

function toEntry(row: HistoryRow): HistoryEntry {
  const color = (c: string): Color => ((COLORS as readonly string[]).includes(c) ? (c as Color) : "blue");
  return {
    at: row.at,
    from: color(row.from_color),
    to: color(row.to_color),
    epoch: row.epoch,
    kind: row.kind === "auto" ? "auto" : "manual",
    action: row.action === "rollback" ? "rollback" : "flip",
    reason: row.reason,
    actor: row.actor,
    metrics: row.metrics === null ? null : (JSON.parse(row.metrics) as Metrics),
  };
}
