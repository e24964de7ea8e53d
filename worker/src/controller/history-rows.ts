/**
 * The reader of the `history` table's rows (docs/storage.md "Migrations"),
 * pure: a row becomes a HistoryEntry, or its problem is named. The table's
 * columns have not changed since the first version; rows of that version
 * have `metrics` NULL for manual changes, which reads as `metrics: null`. A
 * row that does not read is never guessed at (a colour nobody wrote is not
 * "blue"): state-store.ts moves it to `history_quarantine` and records a
 * repair. A row whose only fault is its `metrics` keeps its place with
 * `metrics: null`.
 */
import * as z from "zod/mini";
import { Color, COLORS } from "../../../contract/colors.js";
import { ACTIONS, IsoTime, KINDS, Metrics, type HistoryEntry } from "../../../contract/history.js";
import { problemOf } from "./stored-shapes.js";

/** The SQLite table of flips, rollbacks and repairs. */
export const HISTORY_TABLE = "history";
/** Where rows that could not be read are kept, untouched, for a human to look at. */
export const HISTORY_QUARANTINE_TABLE = "history_quarantine";

/** One row as SQLite answers it (any column may hold anything in a table someone else wrote to). */
export type HistoryRow = Record<string, SqlStorageValue>;

const RowSchema = z.object({
  id: z.number(),
  at: IsoTime,
  from_color: Color,
  to_color: Color,
  epoch: z.int().check(z.minimum(0)),
  kind: z.enum(KINDS),
  action: z.enum(ACTIONS),
  reason: z.string(),
  actor: z.string(),
  metrics: z.nullable(z.string()),
});

/** A SQL list of string literals (the values are the contract's constants, never input). */
function sqlList(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(", ");
}

/**
 * Rows that may not read, found by SQLite itself so a healthy table costs
 * one scan and no JS per row; readHistoryRow decides. Mirrors RowSchema and
 * Metrics (the time only roughly: JS parses it).
 */
export const SUSPECT_ROWS_SQL = `SELECT * FROM ${HISTORY_TABLE} WHERE
  from_color NOT IN (${sqlList(COLORS)}) OR to_color NOT IN (${sqlList(COLORS)})
  OR kind NOT IN (${sqlList(KINDS)}) OR action NOT IN (${sqlList(ACTIONS)})
  OR typeof(epoch) <> 'integer' OR epoch < 0
  OR typeof(at) <> 'text' OR at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*'
  OR typeof(reason) <> 'text' OR typeof(actor) <> 'text'
  OR (metrics IS NOT NULL AND (typeof(metrics) <> 'text' OR NOT json_valid(metrics) OR json_type(metrics) <> 'object'
      OR EXISTS (SELECT 1 FROM json_each(metrics) WHERE type IN ('object', 'array'))))
  ORDER BY id`;

/** What reading one row found. */
export type HistoryRowReading =
  | { outcome: "current"; entry: HistoryEntry }
  /** Readable but for its metrics: the entry with `metrics: null`. */
  | { outcome: "metrics_unreadable"; entry: HistoryEntry; problem: string }
  | { outcome: "unreadable"; problem: string };

/** Reads one history row. */
export function readHistoryRow(row: HistoryRow): HistoryRowReading {
  const parsed = RowSchema.safeParse(row);
  if (!parsed.success) return { outcome: "unreadable", problem: problemOf(parsed.error) };
  const r = parsed.data;
  const entry: HistoryEntry = {
    at: r.at,
    from: r.from_color,
    to: r.to_color,
    epoch: r.epoch,
    kind: r.kind,
    action: r.action,
    reason: r.reason,
    actor: r.actor,
    metrics: null,
  };
  if (r.metrics === null) return { outcome: "current", entry };
  const metrics = parseMetrics(r.metrics);
  if (typeof metrics === "string") return { outcome: "metrics_unreadable", entry, problem: `metrics: ${metrics}` };
  return { outcome: "current", entry: { ...entry, metrics } };
}

// The metrics object, or why it is not one.
function parseMetrics(text: string): Metrics | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return "not JSON";
  }
  const parsed = Metrics.safeParse(json);
  return parsed.success ? parsed.data : problemOf(parsed.error);
}
