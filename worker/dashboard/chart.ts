/**
 * The dashboard's line chart, drawn by hand in SVG (no library): a line per
 * colour with gaps where a bucket had no requests, an optional dashed
 * threshold, and flips and rollbacks as vertical markers labelled on the
 * time axis.
 */
import type { Color } from "../../contract/colors.js";
import { svgEl } from "./dom.js";
import { clockLabel } from "./format.js";

const CHART_HEIGHT = 150;
const PAD = { l: 46, r: 10, t: 28, b: 20 };
const LABEL_ROWS = 2;
const LABEL_CHAR_PX = 5.6;

/** One point of a line; `v` null is a gap. */
export interface ChartPoint {
  t: number;
  v: number | null;
}

/** A flip or rollback on the time axis. */
export interface ChartMarker {
  t: number;
  kind: "flip" | "rollback";
  label: string;
  /** The tooltip: who, when, why. */
  title: string;
}

/** What one chart shows. */
export interface ChartSpec {
  title: string;
  format: (v: number) => string;
  fromMs: number;
  toMs: number;
  /** A dashed line at the rollback threshold; null for none. */
  threshold: number | null;
  series: Array<{ color: Color; points: ChartPoint[] }>;
  markers: ChartMarker[];
  /** Whether markers get a text label (besides their tooltip). */
  labels: boolean;
  /** A fixed top of the y axis (e.g. 1 for a share); absent: from the data. */
  top?: number;
}

/** The smallest 1/2/2.5/5 × 10^n at or above x (the top of the y axis). */
export function niceMax(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * p >= x) return step * p;
  return 10 * p;
}

/** Draws `spec` into `box`, replacing what it held. */
export function drawChart(box: HTMLElement, spec: ChartSpec): void {
  const width = Math.max(260, Math.floor(box.clientWidth || 320));
  const innerW = width - PAD.l - PAD.r;
  const innerH = CHART_HEIGHT - PAD.t - PAD.b;
  const span = Math.max(1, spec.toMs - spec.fromMs);
  let top = spec.threshold ?? 0;
  for (const s of spec.series) for (const p of s.points) if (p.v !== null && p.v > top) top = p.v;
  top = spec.top ?? niceMax(top * 1.05);
  const x = (t: number) => PAD.l + (innerW * (t - spec.fromMs)) / span;
  const y = (v: number) => PAD.t + innerH - (innerH * v) / top;

  const root = svgEl("svg", { viewBox: `0 0 ${width} ${CHART_HEIGHT}`, role: "img", "aria-label": spec.title });
  for (const f of [0, 0.5, 1]) {
    const yy = y(top * f).toFixed(1);
    root.appendChild(svgEl("line", { class: "grid", x1: PAD.l, x2: width - PAD.r, y1: yy, y2: yy }));
    root.appendChild(svgEl("text", { class: "axis", x: PAD.l - 4, y: Number(yy) + 3, "text-anchor": "end" }, spec.format(top * f)));
  }
  const ticks: Array<[number, string]> = [
    [spec.fromMs, "start"],
    [spec.fromMs + span / 2, "middle"],
    [spec.toMs, "end"],
  ];
  for (const [t, anchor] of ticks) {
    root.appendChild(svgEl("text", { class: "axis", x: x(t).toFixed(1), y: CHART_HEIGHT - 5, "text-anchor": anchor }, clockLabel(t)));
  }
  if (spec.threshold !== null && spec.threshold <= top) {
    const ty = y(spec.threshold).toFixed(1);
    const th = svgEl("line", { class: "threshold", x1: PAD.l, x2: width - PAD.r, y1: ty, y2: ty });
    th.appendChild(svgEl("title", {}, `rollback threshold ${spec.format(spec.threshold)}`));
    root.appendChild(th);
  }
  drawMarkers(root, spec, x, width, innerH);
  for (const s of spec.series) {
    const line = linePath(s.points, x, y);
    if (line) root.appendChild(svgEl("path", { class: `line ${s.color}`, d: line.d, "data-max": line.max }));
  }

  const title = document.createElement("h3");
  title.textContent = spec.title;
  box.replaceChildren(title, root);
}

/** The markers in range; labels go on the first free row at the top, and a label with no room is left to the marker's tooltip. */
function drawMarkers(root: SVGSVGElement, spec: ChartSpec, x: (t: number) => number, width: number, innerH: number): void {
  const rowEnds: number[] = Array.from({ length: LABEL_ROWS }, () => -Infinity);
  for (const m of spec.markers) {
    if (m.t < spec.fromMs || m.t > spec.toMs) continue;
    const mx = x(m.t);
    const line = svgEl("line", { class: `marker ${m.kind}`, x1: mx.toFixed(1), x2: mx.toFixed(1), y1: PAD.t - 4, y2: PAD.t + innerH });
    line.appendChild(svgEl("title", {}, m.title));
    root.appendChild(line);
    if (!spec.labels) continue;
    const w = m.label.length * LABEL_CHAR_PX;
    const atEnd = mx + 3 + w > width - PAD.r;
    const x0 = atEnd ? mx - 3 - w : mx + 3;
    const row = rowEnds.findIndex((end) => end < x0 - 4);
    if (row === -1) continue;
    rowEnds[row] = x0 + w;
    const attrs = { class: `marker-label ${m.kind}`, x: (atEnd ? mx - 3 : mx + 3).toFixed(1), y: 10 + row * 11, "text-anchor": atEnd ? "end" : "start" };
    const label = svgEl("text", attrs, m.label);
    label.appendChild(svgEl("title", {}, m.title));
    root.appendChild(label);
  }
}

/** The SVG path of a line with gaps, and its highest value; null when every point is a gap. */
function linePath(points: ChartPoint[], x: (t: number) => number, y: (v: number) => number): { d: string; max: number } | null {
  let d = "";
  let pen = "M";
  let max: number | null = null;
  for (const p of points) {
    if (p.v === null) {
      pen = "M";
      continue;
    }
    if (max === null || p.v > max) max = p.v;
    // A segment's first point also gets a dot (h0.01 with round caps), so a lone bucket shows.
    d += `${pen}${x(p.t).toFixed(1)} ${y(p.v).toFixed(1)}${pen === "M" ? " h0.01 " : " "}`;
    pen = "L";
  }
  return max === null ? null : { d: d.trim(), max };
}
