/**
 * The dashboard's shadow card (`shadow` of GET /admin/status): whether the
 * standby is being shadowed, what the mirror counted, the shadow gate's
 * verdict with its reason, and the agreement over time (per 10 s, the
 * gate's MIN_SHADOW_AGREEMENT dashed). Hidden until the first shadowing.
 */
import type { ShadowView } from "../../contract/shadow.js";
import { drawChart } from "./chart.js";
import { el } from "./dom.js";
import { ms, pct, when } from "./format.js";

const VERDICT_WORDS: Record<ShadowView["verdict"], string> = { passed: "passed", failed: "failed", could_not_measure: "could not measure" };

function fact(label: string, value: string, id: string): HTMLElement {
  const box = el("div");
  box.append(el("span", "label", label), el("span", "value", value));
  box.lastElementChild!.id = id;
  return box;
}

/** Renders `shadow` into the card `box` (facts, verdict, chart); hides the card when there never was a shadowing. */
export function renderShadow(box: HTMLElement, shadow: ShadowView | null | undefined): void {
  if (shadow === null || shadow === undefined) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  box.hidden = false;
  const state = shadow.running
    ? `shadowing ${shadow.standby} behind ${shadow.active} at sample ${shadow.sample}, until ${when(shadow.endsAt)}`
    : `shadowing of ${shadow.standby} ${shadow.endedBy === "epoch_changed" ? "ended by a flip or rollback" : shadow.endedBy} at ${when(shadow.endedAt)}`;
  const a = shadow.agreement;
  const facts = el("div", "facts");
  facts.append(
    fact("Mirrored", `${shadow.sent}`, "shadow-sent"),
    fact("Compared", `${shadow.compared}`, "shadow-compared"),
    fact("Agreement", a.rate === null ? "–" : `${pct(a.rate)} (${pct(a.lower)}–${pct(a.upper)})`, "shadow-agreement"),
    fact("Dropped", `${shadow.dropped}`, "shadow-dropped"),
    fact("Standby errors", `${shadow.errors.total}`, "shadow-errors"),
    fact("Mean |Δconfidence|", shadow.meanConfidenceDelta === null ? "–" : shadow.meanConfidenceDelta.toFixed(3), "shadow-delta"),
    fact("p99 standby / active", `${ms(shadow.latency.standby.p99Ms)} / ${ms(shadow.latency.active.p99Ms)}`, "shadow-p99"),
  );
  const verdict = el("p", `verdict ${shadow.verdict === "failed" ? "failed" : ""}`, `Shadow gate: ${VERDICT_WORDS[shadow.verdict]} — ${shadow.verdictReason}`);
  verdict.id = "shadow-verdict";
  const chart = el("div", "chart");
  chart.id = "shadow-chart";
  const head = el("h2", "", "Shadow");
  const line = el("p", "muted", state);
  line.id = "shadow-state";
  box.replaceChildren(head, line, facts, verdict, chart);
  const points = shadow.series.map((p) => ({ t: Date.parse(p.at) + 5_000, v: p.compared === 0 ? null : p.agreed / p.compared }));
  const fromMs = Date.parse(shadow.startedAt);
  const toMs = Math.max(fromMs + 10_000, Math.min(Date.parse(shadow.endedAt ?? shadow.endsAt), Date.now()));
  drawChart(chart, {
    title: "Agreement with the active colour (per 10 s)",
    format: (v) => `${Math.round(v * 100)}%`,
    fromMs,
    toMs,
    threshold: shadow.gate.minAgreement,
    series: [{ color: shadow.standby, points }],
    markers: [],
    labels: false,
    top: 1,
  });
}
