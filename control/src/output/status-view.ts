/** How a router status reads for people: a colour table and one-line summaries. */
import { COLORS } from "../../../contract/colors.js";
import type { AdminStatus, LabelMix } from "../../../contract/status.js";
import { bakeSecondsLeft, type ColorView, colorView } from "../admin-client.js";
import * as fmt from "./format.js";
import type { Printer } from "./printer.js";
import { renderTable } from "./table.js";

/** "green active · phase baking · epoch 4 · bake 1m12s left". */
export function deploymentLine(status: AdminStatus, nowMs: number): string {
  const left = bakeSecondsLeft(status, nowMs);
  // At 0 the controller ends the bake on its next alarm.
  const bake = left === null ? "" : left < 1 ? " · bake ending" : ` · bake ${fmt.duration(left)} left`;
  return `${status.active} active · phase ${status.phase} · epoch ${status.epoch}${bake}`;
}

/** "neutral 46%, positive 34%, negative 20%": a label mix's top shares (other and unparseable among them when they rank), or "–". */
export function topShares(mix: LabelMix, top = 3): string {
  if (mix.predictions === 0) return "–";
  const all = [
    ...mix.labels.map((l) => ({ label: l.label, count: l.count })),
    ...(mix.other > 0 ? [{ label: "(other)", count: mix.other }] : []),
    ...(mix.unparseable > 0 ? [{ label: "(unparseable)", count: mix.unparseable }] : []),
  ].sort((a, b) => b.count - a.count);
  const shown = all.slice(0, top).map((l) => `${l.label} ${Math.round((100 * l.count) / mix.predictions)}%`);
  return all.length > top ? `${shown.join(", ")}, …` : shown.join(", ");
}

/** "green 412 req 0.24% err p99 31 ms neutral 46%": the top label share of the slow window last. */
export function colorSummary(v: ColorView, labels?: LabelMix): string {
  const top = labels === undefined || labels.predictions === 0 ? "" : ` ${topShares(labels, 1).replace(/, …$/, "")}`;
  return `${v.color}${v.active ? "*" : ""} ${fmt.count(v.requests)} req ${fmt.pct(v.errorRate)} err p99 ${fmt.ms(v.p99Ms)}${top}`;
}

/** The drift rule's lines: its verdict and why, the baseline's shares beside the active colour's. */
export function driftPairs(status: AdminStatus): Array<[string, string]> {
  const d = status.drift;
  const pairs: Array<[string, string]> = [["drift", `${d.verdict.replace("_", " ")}: ${d.reason}`]];
  const b = d.baseline;
  if (b !== null) {
    const short = b.enough ? "" : ` — fewer than MIN_BASELINE_PREDICTIONS (${b.minimum}): drift not measured`;
    pairs.push(["baseline", `${b.color}'s last ${b.minutes} min at epoch ${b.epoch}, ${fmt.count(b.mix.predictions)} predictions: ${topShares(b.mix, 5)}${short}`]);
  }
  const w = status.colors[d.color].predictions.slow;
  pairs.push([`${d.color} labels`, `${topShares(w, 5)} (${fmt.count(w.predictions)} predictions, last ${status.policy.slowWindowSeconds} s)`]);
  return pairs;
}

/** One line for logs: time, deployment, both colours. */
export function statusLine(status: AdminStatus, nowMs: number): string {
  const time = new Date(nowMs).toISOString().slice(11, 19);
  return `${time}  ${deploymentLine(status, nowMs)}  |  ${COLORS.map((c) => colorSummary(colorView(status, c), status.colors[c].predictions.slow)).join("  |  ")}`;
}

/** The per-colour table. */
export function colorTable(printer: Printer, status: AdminStatus): string {
  const health = (h: string) => printer.color(h === "healthy" ? "green" : h === "unhealthy" ? "red" : "gray", h);
  return renderTable<ColorView>(
    [
      { header: "colour", value: (v) => v.color },
      { header: "role", value: (v) => (v.active ? printer.color("bold", "active") : "standby") },
      { header: "health", value: (v) => health(v.health) },
      { header: "version", value: (v) => v.version ?? "–" },
      { header: "requests", value: (v) => fmt.count(v.requests), align: "right" },
      { header: "req/s", value: (v) => (v.requests / v.windowSeconds).toFixed(1), align: "right" },
      { header: "errors", value: (v) => fmt.pct(v.errorRate), align: "right" },
      { header: "p50", value: (v) => fmt.ms(v.p50Ms), align: "right" },
      { header: "p99", value: (v) => fmt.ms(v.p99Ms), align: "right" },
      { header: "top labels (slow window)", value: (v) => topShares(status.colors[v.color].predictions.slow) },
      { header: "origins", value: (v) => v.origins.join(", ") || "–" },
    ],
    COLORS.map((c) => colorView(status, c)),
  );
}

/** The window the per-colour numbers cover, e.g. "last 10 s". */
export function windowLabel(status: AdminStatus): string {
  return `last ${status.policy.fastWindowSeconds} s`;
}

/** The block a live view redraws: a title, the deployment line, the colour table. */
export function liveBlock(printer: Printer, status: AdminStatus, nowMs: number, title: string): string[] {
  const time = new Date(nowMs).toISOString().slice(11, 19);
  return [
    `${title} · ${time}`,
    `${deploymentLine(status, nowMs)} · traffic over the ${windowLabel(status)}`,
    ...colorTable(printer, status).split("\n"),
    `drift ${status.drift.verdict.replace("_", " ")}${status.drift.baseline === null ? "" : ` · baseline ${status.drift.baseline.color}: ${topShares(status.drift.baseline.mix)}`}`,
  ];
}
