/**
 * The summary card and the two colour cards from GET /admin/status: active
 * colour, phase, epoch, bake countdown, the verdict line, the actions the
 * API would accept (status-rules.ts) with why one is missing, and per colour
 * its health, version, digest, last probe, windows and origins. A field the
 * status leaves out is shown as "–".
 */
import { COLORS, type Color } from "../../contract/colors.js";
import type { AdminStatus, BakeView, ColorStatus, WindowMetrics } from "../../contract/status.js";
import { $, el, element } from "./dom.js";
import { MISSING, ms, orMissing, pct, short, when } from "./format.js";
import { refusals, verdictLine } from "./status-rules.js";

/** The bake's time left, counted down from the status fetched at `fetchedAt` (ms). */
export function bakeText(bake: BakeView | null, fetchedAt: number, now: number): string {
  if (!bake) return MISSING;
  const left = Math.max(0, Math.round(bake.remainingSeconds - (now - fetchedAt) / 1000));
  return `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")} left`;
}

/** Shows the status (fetched at `fetchedAt`) on the summary and colour cards. */
export function renderStatus(s: AdminStatus, fetchedAt: number): void {
  $("deployment").textContent = s.deployment;
  const active = $("active");
  active.textContent = s.active;
  active.className = `pill ${s.active}`;
  const phase = $("phase");
  phase.textContent = s.phase.replace("_", " ");
  phase.className = `value phase-${s.phase}`;
  $("epoch").textContent = String(s.epoch);
  $("bake").textContent = bakeText(s.bake, fetchedAt, Date.now());
  $("armed").textContent = s.autoRollbackArmed ? "armed" : "disarmed";
  const verdict = verdictLine(s);
  const line = $("verdict");
  line.textContent = verdict.text;
  line.className = `verdict ${verdict.verdict}${verdict.current ? "" : " old"}`;
  $("reason").textContent = `Last change ${when(s.updatedAt)}: ${s.reason}`;
  // Offer only what the API would accept; say why an action is missing.
  const refused = refusals(s);
  const flip = element("flip", HTMLButtonElement);
  flip.textContent = `Flip to ${s.standby}…`;
  flip.hidden = refused.flip !== null;
  const rollback = element("rollback", HTMLButtonElement);
  rollback.textContent = `Roll back to ${s.standby}…`;
  rollback.hidden = refused.rollback !== null;
  const notes: string[] = [];
  if (refused.flip !== null) notes.push(`No flip: ${refused.flip}.`);
  if (refused.rollback !== null) notes.push(`No rollback: ${refused.rollback}.`);
  $("actions-note").textContent = notes.join(" ");
  for (const color of COLORS) renderColor($(`color-${color}`), color, s.colors[color]);
}

function addFact(dl: HTMLDListElement, term: string, value: string, className = ""): HTMLElement {
  dl.appendChild(el("dt", "", term));
  const dd = el("dd", className, value);
  dl.appendChild(dd);
  return dd;
}

function windowText(w: WindowMetrics): string {
  const seconds = Math.max(0, w.toSecond - w.fromSecond + 1);
  return `${w.requests} req in ${seconds} s · errors ${pct(w.errorRate)} · p99 ${ms(w.p99Ms)}`;
}

function lastProbe(h: ColorStatus["health"]): string {
  if (!h.checkedAt) return "not yet";
  return when(h.checkedAt) + (h.latencyMs !== null && h.latencyMs !== undefined ? ` (${ms(h.latencyMs)})` : "");
}

function renderColor(card: HTMLElement, color: Color, c: ColorStatus): void {
  const h = el("h2", "", color);
  h.appendChild(el("span", `pill ${c.role === "active" ? color : ""}`, c.role));
  const dl = el("dl");
  addFact(dl, "Health", c.health.status, `health-${c.health.status}`);
  addFact(dl, "Version", orMissing(c.version));
  addFact(dl, "Digest", short(c.health.digest)).title = c.health.digest ?? "";
  addFact(dl, "Last probe", lastProbe(c.health));
  if (c.health.error) addFact(dl, "Probe error", c.health.error, "health-unhealthy");
  addFact(dl, "Fast window", windowText(c.metrics.fast));
  addFact(dl, "Slow window", windowText(c.metrics.slow));
  const probes = new Map(c.health.origins.map((o) => [o.url, o]));
  const list = el("ul", "origins");
  for (const o of c.origins) {
    const p = probes.get(o.url);
    const li = el("li");
    li.appendChild(el("span", p ? (p.ok ? "health-healthy" : "health-unhealthy") : "health-unknown", p ? (p.ok ? "● " : "✖ ") : "○ "));
    li.appendChild(document.createTextNode(o.url));
    const facts: string[] = [];
    if (p) facts.push(p.status === null || p.status === undefined ? "no answer" : `HTTP ${p.status}`, ms(p.latencyMs));
    if (p?.version) facts.push(p.version);
    if (p?.error) facts.push(p.error);
    if (o.coolingDown) facts.push("cooling down");
    if (facts.length) li.appendChild(el("span", "muted", ` — ${facts.join(", ")}`));
    list.appendChild(li);
  }
  card.replaceChildren(h, dl, list);
}
