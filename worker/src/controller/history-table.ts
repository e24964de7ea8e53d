/**
 * The controller's SQL table of flips, rollbacks and repairs
 * (docs/storage.md "SQL table history"): inserts, newest-first reads, and
 * the once-per-instance check that moves rows that do not read
 * (history-rows.ts) to `history_quarantine` rather than guess at them.
 * Runs inside the StateStore's transactions; stores nothing else.
 */
import type { HistoryEntry } from "../../../contract/history.js";
import { HISTORY_QUARANTINE_TABLE, HISTORY_TABLE, readHistoryRow, SUSPECT_ROWS_SQL, type HistoryRow } from "./history-rows.js";

/** Most rows one read answers. */
const MAX_HISTORY_LIMIT = 500;

/** One controller's history table. */
export class HistoryTable {
  readonly #storage: DurableObjectStorage;
  readonly #deployment: () => string;
  #checked = false;

  constructor(storage: DurableObjectStorage, deployment: () => string) {
    this.#storage = storage;
    this.#deployment = deployment;
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

  /** Appends a row. */
  insert(e: HistoryEntry): void {
    this.#storage.sql.exec(
      `INSERT INTO ${HISTORY_TABLE} (at, from_color, to_color, epoch, kind, action, reason, actor, metrics)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      e.at, e.from, e.to, e.epoch, e.kind, e.action, e.reason, e.actor,
      e.metrics === null ? null : JSON.stringify(e.metrics),
    );
  }

  /** Rows newest first (at most MAX_HISTORY_LIMIT): all, or only flips and rollbacks. A row that does not read is skipped, never guessed. */
  list(limit: number, changesOnly: boolean): HistoryEntry[] {
    const n = Math.min(Math.max(1, Math.floor(limit)), MAX_HISTORY_LIMIT);
    const where = changesOnly ? `WHERE action IN ('flip', 'rollback')` : "";
    return this.#storage.sql
      .exec<HistoryRow>(`SELECT * FROM ${HISTORY_TABLE} ${where} ORDER BY id DESC LIMIT ?`, n)
      .toArray()
      .flatMap((row) => {
        const reading = readHistoryRow(row);
        return reading.outcome === "unreadable" ? [] : [reading.entry];
      });
  }

  /** The highest epoch any readable row records (0 when none). */
  highestEpoch(): number {
    const row = this.#storage.sql
      .exec<{ epoch: number | null }>(`SELECT MAX(epoch) AS epoch FROM ${HISTORY_TABLE} WHERE typeof(epoch) = 'integer'`)
      .toArray()[0];
    return row?.epoch ?? 0;
  }

  /**
   * Once per object instance: rows that do not read are copied to the
   * quarantine table and removed — or, when only their metrics do not read,
   * kept with metrics NULL — then `repaired` is called with one line about
   * them (the store records it as a repair).
   */
  checkOnce(repaired: (reason: string) => void): void {
    if (this.#checked) return;
    this.#checked = true;
    let suspects: HistoryRow[];
    try {
      suspects = this.#storage.sql.exec<HistoryRow>(SUSPECT_ROWS_SQL).toArray();
    } catch (err) {
      // The check must never jam the history itself: list() still skips what does not read.
      console.error(`controller ${this.#deployment()}: could not check the history table`, err);
      return;
    }
    const problems: string[] = [];
    this.#storage.transactionSync(() => {
      for (const row of suspects) {
        const reading = readHistoryRow(row);
        if (reading.outcome === "current") continue;
        this.#quarantine(row, reading.problem);
        const kept = reading.outcome === "metrics_unreadable";
        if (kept) this.#storage.sql.exec(`UPDATE ${HISTORY_TABLE} SET metrics = NULL WHERE id = ?`, row.id);
        else this.#storage.sql.exec(`DELETE FROM ${HISTORY_TABLE} WHERE id = ?`, row.id);
        problems.push(`#${String(row.id)} ${kept ? "kept without metrics" : "moved"} (${reading.problem})`);
      }
      if (problems.length === 0) return;
      const summary = `${problems.length} unreadable row(s) copied to ${HISTORY_QUARANTINE_TABLE}: ${problems.join("; ")}`;
      repaired(summary);
      console.warn(`controller ${this.#deployment()}: ${HISTORY_TABLE}: ${summary}`);
    });
  }

  #quarantine(row: HistoryRow, problem: string): void {
    // No types or constraints: the row is kept exactly as it was found.
    this.#storage.sql.exec(`CREATE TABLE IF NOT EXISTS ${HISTORY_QUARANTINE_TABLE} (
      id, at, from_color, to_color, epoch, kind, action, reason, actor, metrics,
      quarantined_at TEXT NOT NULL, problem TEXT NOT NULL
    )`);
    const column = (name: string) => row[name] ?? null;
    this.#storage.sql.exec(
      `INSERT INTO ${HISTORY_QUARANTINE_TABLE} (id, at, from_color, to_color, epoch, kind, action, reason, actor, metrics, quarantined_at, problem)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ...["id", "at", "from_color", "to_color", "epoch", "kind", "action", "reason", "actor", "metrics"].map(column),
      new Date().toISOString(),
      problem,
    );
  }
}
