/**
 * The dashboard's stylesheet (GET /admin/app.css): system fonts, two colour
 * cards side by side that stack on a phone, charts that take the full width.
 */

/** The CSS of GET /admin/app.css. */
export const DASHBOARD_CSS = String.raw`:root {
  --blue: #2563eb; --green: #15803d; --flip: #6b7280; --rollback: #dc2626;
  --bg: #f4f5f7; --card: #fff; --text: #1f2328; --muted: #59636e; --line: #d8dee4;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 15px; color: var(--text); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 0 12px 24px; }
h1 { font-size: 1.25rem; margin: 0; }
h2 { font-size: 1rem; margin: 0 0 8px; }
code { font-size: 0.9em; }
.bar { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; padding: 12px 0; }
.bar h1 { flex: 1 1 auto; }
.muted { color: var(--muted); }
.conn { font-size: 0.85rem; color: var(--muted); }
.conn.bad { color: var(--rollback); font-weight: 600; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px; margin: 0 0 12px; }
.login { max-width: 520px; }
.login form { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.login label { width: 100%; font-weight: 600; }
.login input { flex: 1 1 220px; }
input, textarea, select, button { font: inherit; }
input, textarea { padding: 8px; border: 1px solid var(--line); border-radius: 6px; width: 100%; }
button { padding: 8px 14px; border-radius: 6px; border: 1px solid #1f2328; background: #1f2328; color: #fff; cursor: pointer; }
button:disabled { opacity: 0.5; cursor: default; }
button.danger { background: var(--rollback); border-color: var(--rollback); }
button.secondary { background: #fff; color: var(--text); border-color: var(--line); }
button.link { background: none; border: none; color: var(--blue); padding: 4px; }
.error { color: var(--rollback); font-weight: 600; min-height: 1.2em; margin: 8px 0 0; overflow-wrap: anywhere; }
.error:empty { display: none; }
.facts { display: flex; flex-wrap: wrap; gap: 10px 28px; }
.facts > div { display: flex; flex-direction: column; gap: 2px; }
.label { font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
.value { font-size: 1.15rem; font-weight: 600; }
.pill { display: inline-block; padding: 2px 12px; border-radius: 999px; color: #fff; font-weight: 700; font-size: 1.15rem; background: var(--flip); }
.pill.blue { background: var(--blue); } .pill.green { background: var(--green); }
.phase-baking { color: #b45309; } .phase-rolled_back { color: var(--rollback); } .phase-stable { color: var(--green); }
.verdict { margin: 10px 0 0; overflow-wrap: anywhere; }
.verdict.failed { color: var(--rollback); font-weight: 600; }
.verdict.old { font-weight: 400; }
.note { margin: 8px 0 0; font-size: 0.85rem; }
.note:empty { display: none; }
.actions { display: flex; gap: 8px; flex-wrap: wrap; margin-top: 12px; }
.colors { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 0 12px; }
.color { border-top: 4px solid var(--flip); }
.color.blue { border-top-color: var(--blue); } .color.green { border-top-color: var(--green); }
.color h2 { display: flex; justify-content: space-between; gap: 8px; text-transform: capitalize; }
.color dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; margin: 0; }
.color dt { color: var(--muted); }
.color dd { margin: 0; overflow-wrap: anywhere; }
.health-healthy { color: var(--green); font-weight: 600; } .health-unhealthy { color: var(--rollback); font-weight: 600; } .health-unknown { color: var(--muted); }
.origins { list-style: none; padding: 0; margin: 8px 0 0; font-size: 0.9rem; }
.origins li { padding: 4px 0; border-top: 1px solid var(--line); overflow-wrap: anywhere; }
.chart-head { display: flex; align-items: baseline; flex-wrap: wrap; gap: 6px 16px; }
.chart-head h2 { margin: 0; }
.legend { font-size: 0.85rem; color: var(--muted); flex: 1 1 auto; }
.swatch { display: inline-block; width: 12px; height: 3px; margin: 0 4px 3px 8px; vertical-align: middle; background: var(--flip); }
.swatch.blue { background: var(--blue); } .swatch.green { background: var(--green); } .swatch.rollback { background: var(--rollback); }
.range { font-size: 0.85rem; color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 8px 16px; margin-top: 8px; }
.chart h3 { font-size: 0.85rem; margin: 4px 0; color: var(--muted); font-weight: 600; }
.chart svg { display: block; width: 100%; height: 150px; }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart .axis { fill: var(--muted); font-size: 10px; }
.chart .threshold { stroke: #b45309; stroke-dasharray: 4 3; stroke-width: 1; }
.chart .line { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
.chart .line.blue { stroke: var(--blue); } .chart .line.green { stroke: var(--green); }
.chart .marker { stroke-width: 1.5; stroke-dasharray: 3 2; }
.chart .marker.flip { stroke: var(--flip); } .chart .marker.rollback { stroke: var(--rollback); }
.chart .marker-label { font-size: 10px; font-weight: 600; }
.chart .marker-label.flip { fill: var(--flip); } .chart .marker-label.rollback { fill: var(--rollback); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 6px 8px; border-top: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; border-top: none; white-space: nowrap; }
td.when { white-space: nowrap; }
td.reason { min-width: 200px; overflow-wrap: anywhere; }
.badge { display: inline-block; font-size: 0.75rem; padding: 0 6px; border-radius: 4px; border: 1px solid currentColor; margin-left: 4px; }
.badge.auto { color: var(--rollback); }
dialog { border: 1px solid var(--line); border-radius: 8px; padding: 16px; width: min(480px, calc(100vw - 24px)); }
dialog::backdrop { background: rgba(0, 0, 0, 0.35); }
dialog label { font-weight: 600; display: block; margin: 8px 0 4px; }
@media (max-width: 480px) {
  body { padding: 0 8px 16px; font-size: 14px; }
  .facts { gap: 8px 18px; }
  .color dl { grid-template-columns: 1fr; gap: 0; }
  .color dt { margin-top: 6px; }
  .actions button { flex: 1 1 auto; }
  /* History rows as stacked cards: a five-column table does not fit a phone. */
  #history thead { display: none; }
  #history, #history tbody, #history tr, #history td { display: block; width: 100%; }
  #history tr { border-top: 1px solid var(--line); padding: 6px 0; }
  #history td { border: none; padding: 1px 0; min-width: 0; }
  #history td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); }
}
`;
