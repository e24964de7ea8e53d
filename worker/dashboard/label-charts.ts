/**
 * The predictions card: per colour, a bar chart of its label shares over
 * the slow window, with the bake's baseline share marked on each bar (a
 * dark tick), and the drift rule's verdict beneath (GET /admin/status's
 * `colors.*.predictions` and `drift`). Drawn by hand in SVG, as chart.ts.
 */
import { COLORS, type Color } from "../../contract/colors.js";
import type { AdminStatus, LabelMix } from "../../contract/status.js";
import { el, svgEl } from "./dom.js";

const ROW_PX = 20;
const PAD = { l: 96, r: 44, t: 4, b: 4 };
const MAX_ROWS = 6;

/** Each category's share, largest first (other and unparseable as categories), at most MAX_ROWS. */
function shares(mix: LabelMix): Map<string, number> {
  const out = new Map<string, number>();
  if (mix.predictions === 0) return out;
  const all = [...mix.labels.map((l) => [l.label, l.count] as const), ["(other)", mix.other] as const, ["(unparseable)", mix.unparseable] as const];
  for (const [label, count] of all.filter(([, c]) => c > 0).sort((a, b) => b[1] - a[1])) out.set(label, count / mix.predictions);
  return out;
}

/** One colour's chart: its shares as bars, the baseline's (when given) as ticks; rows are the union of both. */
function drawLabelChart(box: HTMLElement, color: Color, mix: LabelMix, baseline: LabelMix | null, note: string): void {
  const mine = shares(mix);
  const base = baseline === null ? new Map<string, number>() : shares(baseline);
  const rows = [...new Set([...mine.keys(), ...base.keys()])].slice(0, MAX_ROWS);
  const width = Math.max(260, Math.floor(box.clientWidth || 320));
  const height = PAD.t + PAD.b + Math.max(1, rows.length) * ROW_PX;
  const innerW = width - PAD.l - PAD.r;
  const root = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `${color} label shares` });
  rows.forEach((label, i) => {
    const y = PAD.t + i * ROW_PX;
    const share = mine.get(label) ?? 0;
    root.appendChild(svgEl("text", { class: "axis", x: PAD.l - 6, y: y + 14, "text-anchor": "end" }, label.length > 16 ? `${label.slice(0, 15)}…` : label));
    root.appendChild(svgEl("rect", { class: `bar ${color}`, x: PAD.l, y: y + 3, width: (innerW * share).toFixed(1), height: ROW_PX - 6 }));
    root.appendChild(svgEl("text", { class: "axis", x: PAD.l + innerW * share + 4, y: y + 14 }, `${Math.round(share * 100)}%`));
    const b = base.get(label);
    if (b !== undefined) {
      const bx = (PAD.l + innerW * b).toFixed(1);
      const tick = svgEl("line", { class: "baseline", x1: bx, x2: bx, y1: y + 1, y2: y + ROW_PX - 1 });
      tick.appendChild(svgEl("title", {}, `baseline ${Math.round(b * 100)}%`));
      root.appendChild(tick);
    }
  });
  if (rows.length === 0) root.appendChild(svgEl("text", { class: "axis", x: PAD.l, y: PAD.t + 14 }, "no predictions in the window"));
  box.replaceChildren(el("h3", "", `${color}: ${mix.predictions.toLocaleString("en-US")} predictions`), root, el("p", "muted note", note));
}

/** Draws one label-share chart per colour into `box` (#labels), the baseline marked on the colour the drift rule judges. */
export function renderLabelCharts(box: HTMLElement, s: AdminStatus): void {
  const d = s.drift;
  const baseline = d.baseline;
  const baselineNote =
    baseline === null
      ? "no baseline frozen yet (one is frozen at each flip)"
      : `ticks: baseline, ${baseline.color}'s last ${baseline.minutes} min (${baseline.mix.predictions.toLocaleString("en-US")} predictions${baseline.enough ? "" : `, fewer than ${baseline.minimum}: drift not measured`})`;
  while (box.children.length < COLORS.length) box.appendChild(el("div", "chart label-chart"));
  COLORS.forEach((color, i) => {
    const chart = box.children[i];
    if (!(chart instanceof HTMLElement)) return;
    chart.id = `labels-${color}`;
    const judged = color === d.color;
    const note = judged ? `drift ${d.verdict.replace("_", " ")}: ${d.reason} · ${baselineNote}` : "not judged: the standby colour";
    drawLabelChart(chart, color, s.colors[color].predictions.slow, judged && baseline !== null ? baseline.mix : null, note);
  });
}
