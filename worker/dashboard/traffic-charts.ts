/**
 * The traffic card's three charts from GET /admin/timeline: requests/s,
 * error rate and p99 latency per colour, the policy's thresholds dashed,
 * flips and rollbacks marked.
 */
import { COLORS } from "../../contract/colors.js";
import type { AdminStatus } from "../../contract/status.js";
import type { TimelineMarker, TimelinePoint, TimelineView } from "../../contract/timeline.js";
import { drawChart, type ChartMarker, type ChartSpec } from "./chart.js";
import { el } from "./dom.js";
import { when } from "./format.js";

function markerOf(m: TimelineMarker): ChartMarker {
  const label = `${m.kind === "auto" ? "auto " : ""}${m.action} → ${m.to}`;
  return {
    t: Date.parse(m.at),
    kind: m.action === "rollback" ? "rollback" : "flip",
    label,
    title: `${label} (epoch ${m.epoch}, ${when(m.at)}, by ${m.actor}): ${m.reason}`,
  };
}

/** Draws the charts into `box` (one .chart per figure, kept across refreshes). */
export function renderCharts(box: HTMLElement, t: TimelineView, s: AdminStatus): void {
  const fromMs = Date.parse(t.from);
  const toMs = Date.parse(t.to);
  const half = (t.bucketSeconds * 1000) / 2;
  const markers = t.markers.map(markerOf);
  // Requests/s leaves out the current bucket until it is complete (its last second is still being
  // reported, so its rate reads low); a ratio (error rate, p99) is fair on a part of a bucket.
  const series = (pick: (p: TimelinePoint) => number | null, completeOnly: boolean): ChartSpec["series"] =>
    COLORS.map((color) => ({
      color,
      points: t.colors[color]
        .filter((p) => !completeOnly || p.seconds >= t.bucketSeconds)
        .map((p) => ({ t: Math.min(toMs, Date.parse(p.at) + half), v: pick(p) })),
    }));
  const common = { fromMs, toMs, markers };
  const specs: ChartSpec[] = [
    {
      ...common,
      title: "Requests/s",
      format: (v) => (v >= 10 ? String(Math.round(v)) : v.toFixed(1)),
      threshold: null,
      series: series((p) => p.rps, true),
      labels: true,
    },
    {
      ...common,
      title: "Error rate",
      format: (v) => `${(v * 100).toFixed(v >= 0.1 ? 0 : 1)}%`,
      threshold: s.policy.maxErrorRate,
      series: series((p) => p.errorRate, false),
      labels: false,
    },
    {
      ...common,
      title: "p99 latency",
      format: (v) => (v >= 10 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`),
      threshold: s.policy.maxP99Ms,
      series: series((p) => p.p99Ms, false),
      labels: false,
    },
  ];
  while (box.children.length < specs.length) box.appendChild(el("div", "chart"));
  specs.forEach((spec, i) => {
    const chart = box.children[i];
    if (chart instanceof HTMLElement) drawChart(chart, spec);
  });
}
