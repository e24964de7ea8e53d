/**
 * The history card from GET /admin/history: one row per flip, rollback or
 * repair, newest first, automatic ones badged; each cell labelled for the
 * phone layout, where the header row is hidden.
 */
import type { HistoryEntry } from "../../contract/history.js";
import { el } from "./dom.js";
import { when } from "./format.js";

const LABELS = ["When", "Change", "Epoch", "By", "Reason"];

function row(e: HistoryEntry): HTMLTableRowElement {
  const tr = el("tr", `${e.action} ${e.kind}`);
  const whenCell = el("td", "when", when(e.at));
  whenCell.title = e.at;
  const change = el("td", "change", `${e.action} ${e.from} → ${e.to}`);
  if (e.kind === "auto") change.appendChild(el("span", "badge auto", "auto"));
  const cells = [whenCell, change, el("td", "", e.epoch), el("td", "", e.actor), el("td", "reason", e.reason)];
  cells.forEach((cell, i) => cell.setAttribute("data-label", LABELS[i] ?? ""));
  tr.append(...cells);
  return tr;
}

/** Shows `entries` in the table's body, or a line saying there are none. */
export function renderHistory(table: HTMLTableElement, entries: readonly HistoryEntry[]): void {
  const body = table.tBodies[0];
  if (!body) return;
  const rows = entries.map(row);
  if (rows.length === 0) {
    const empty = el("tr");
    const cell = el("td", "muted", "No flips or rollbacks yet.");
    cell.colSpan = LABELS.length;
    empty.appendChild(cell);
    rows.push(empty);
  }
  body.replaceChildren(...rows);
}
