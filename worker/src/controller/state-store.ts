/**
 * The DeploymentController's durable state behind named keys and explicit
 * transition methods (docs/storage.md lists every key and table). All reads
 * and writes are synchronous SQLite-backed storage calls, so one method runs
 * without interleaving and a commit is one transaction.
 */
import { z } from "zod";
import { initialRoutingState, RoutingStateSchema, type RoutingState } from "../routing-state.js";
import { COLORS, type Color } from "../telemetry-types.js";
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

  /** Applies a decided transition: state, bake and history row in one transaction. */
  commit(t: Transition): void {
    this.#storage.transactionSync(() => {
      this.#storage.kv.put(STORAGE_KEYS.routing, t.state);
      if (t.bake === null) this.#storage.kv.delete(STORAGE_KEYS.bake);
      else this.#storage.kv.put(STORAGE_KEYS.bake, t.bake);
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
