/** How a router status reads for people: a colour table and one-line summaries. */
import { COLORS } from "../../../contract/colors.js";
import type { AdminStatus } from "../../../contract/status.js";
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

/** "green 412 req 0.24% err p99 31 ms". */
export function colorSummary(v: ColorView): string {
  return `${v.color}${v.active ? "*" : ""} ${fmt.count(v.requests)} req ${fmt.pct(v.errorRate)} err p99 ${fmt.ms(v.p99Ms)}`;
}

/** One line for logs: time, deployment, both colours. */
export function statusLine(status: AdminStatus, nowMs: number): string {
  const time = new Date(nowMs).toISOString().slice(11, 19);
  return `${time}  ${deploymentLine(status, nowMs)}  |  ${COLORS.map((c) => colorSummary(colorView(status, c))).join("  |  ")}`;
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
  ];
}
