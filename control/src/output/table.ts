/** A plain-text table: a header row, a rule, and left/right-aligned columns. */

export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  align?: "left" | "right";
}

// Column width ignores ANSI colour codes, so coloured cells still line up.
const ANSI = /\x1b\[[0-9;]*m/g;
const width = (s: string) => [...s.replace(ANSI, "")].length;

/** Renders rows as an aligned table (no trailing newline). */
export function renderTable<Row>(columns: Array<Column<Row>>, rows: Row[]): string {
  const cells = rows.map((row) => columns.map((c) => c.value(row)));
  const widths = columns.map((c, i) => Math.max(width(c.header), ...cells.map((r) => width(r[i]!))));
  const pad = (s: string, i: number) => {
    const fill = " ".repeat(widths[i]! - width(s));
    return columns[i]!.align === "right" ? fill + s : s + fill;
  };
  const line = (r: string[]) => r.map(pad).join("  ").trimEnd();
  return [line(columns.map((c) => c.header)), widths.map((w) => "─".repeat(w)).join("  "), ...cells.map(line)].join(
    "\n",
  );
}

/** Renders key/value pairs as two aligned columns. */
export function renderPairs(pairs: Array<[string, string]>): string {
  const w = Math.max(...pairs.map(([k]) => width(k)));
  return pairs.map(([k, v]) => `${k}${" ".repeat(w - width(k))}  ${v}`).join("\n");
}
