/**
 * The tables `npm run sim:scale` prints (markdown, so docs/scale.md can hold
 * them as printed) and the check of the design's bounds at 10,000 isolates
 * (docs/scale.md).
 */
import type { RunResult } from "./scenario.js";

/** The budget the relayed design must keep at BOUND_AT isolates. */
export const BOUNDS = { callsPerSecond: 250, utilisation: 0.5, flipP99Ms: 2_000, rollbackMs: 3_000 } as const;
export const BOUND_AT = 10_000;

const int = (x: number) => Math.round(x).toLocaleString("en-US");
const s = (ms: number | null) => (ms === null ? "–" : `${(ms / 1000).toFixed(2)} s`);
const pct = (x: number) => `${Math.round(x * 100)}%`;

function flip(r: RunResult): string {
  const f = r.flip;
  if (f.committedAfterMs === null) return "never committed";
  const missing = f.missing > 0 ? ` (${int(f.missing)} never)` : "";
  const late = f.refusedAttempts > 0 ? `operator refused ${f.refusedAttempts}×, committed ${s(f.committedAfterMs)} late · ` : "";
  return `${late}${s(f.p50)} / ${s(f.p99)} / ${s(f.max)}${missing}`;
}

function rollback(r: RunResult): string {
  if (r.rollback.decisionMs === null) return r.rollback.evidenceAtMs === null ? "– (no evidence: green never served while failing)" : "never decided";
  const c = r.rollback.convergence;
  const missing = c.missing > 0 ? ` (${int(c.missing)} never)` : "";
  return `${s(r.rollback.decisionMs)} · ${s(c.p99)} / ${s(c.max)}${missing}`;
}

function exact(r: RunResult): string {
  const e = r.exact;
  if (e.duplicated === 0 && e.buffered === 0 && e.inTransit === 0 && e.dropped === 0) return "yes";
  const parts: string[] = [];
  if (e.duplicated > 0) parts.push(`${int(e.duplicated)} twice`);
  const unreported = e.buffered + e.inTransit;
  if (unreported > 0) parts.push(`${int(unreported)} unreported at the end`);
  if (e.dropped > 0) parts.push(`${int(e.dropped)} dropped`);
  if (e.duplicated < 0) parts.push(`${int(-e.duplicated)} lost`);
  return `no: ${parts.join(", ")}`;
}

const HEAD =
  "| N | predictions/s | controller calls/s mean (peak) | utilisation mean (peak) | refused as overloaded | flip p50 / p99 / max | rollback after evidence · converged p99 / max | user-visible errors: control plane · colour (absorbed by failover) | counted exactly | per 1M predictions: DO requests · GB-s · $ |";
const RULE = "|---:|---:|---:|---:|---:|---|---|---|---|---:|";

function row(r: RunResult, relayCols: boolean): string {
  const c = r.controller;
  const refused = r.controller.refused + (r.relays?.refused ?? 0);
  const refusedText = relayCols && r.relays ? `${int(c.refused)} · relays ${int(r.relays.refused)}` : int(refused);
  const cells = [
    int(r.isolates),
    int(r.totalRate),
    `${int(c.callsMean)} (${int(c.callsPeak)})`,
    `${pct(c.utilMean)} (${pct(c.utilPeak)})`,
    refusedText,
    flip(r),
    rollback(r),
    `${int(r.errors.controlPlane)} · ${int(r.errors.fault)} (${int(r.errors.absorbed)})`,
    exact(r),
    `${int(r.cost.requestsPerMillion)} · ${r.cost.gbSecondsPerMillion.toFixed(1)} · $${r.cost.dollarsPerMillion.toFixed(4)}`,
  ];
  return `| ${cells.join(" | ")} |`;
}

/** The before (today) or after (relayed) table. */
export function table(results: readonly RunResult[]): string {
  const relayed = results.some((r) => r.relays !== null);
  const lines = [HEAD, RULE, ...results.map((r) => row(r, relayed))];
  if (relayed) {
    lines.push("", "| N | relays (most shards in a location) | forward interval | busiest relay calls/s | busiest relay utilisation | relay forwards · refused | pushes |", "|---:|---:|---:|---:|---:|---:|---:|");
    for (const r of results) {
      const x = r.relays!;
      const interval = r.syncs.forwards > 0 ? `${((x.count * 1000) / Math.max(1, r.controller.callsMean) / 1000).toFixed(1)} s` : "–";
      lines.push(`| ${int(r.isolates)} | ${int(x.count)} (${x.maxShards}) | ≈ ${interval} | ${int(x.peakCallsPerSecond)} | ${pct(x.peakUtilisation)} | ${int(r.syncs.forwards)} · ${int(r.syncs.forwardsRefused)} | ${int(r.syncs.pushes)} |`);
    }
  }
  return lines.join("\n");
}

/** One line per bound at BOUND_AT isolates: ✓ or ✗ with the figure. */
export function boundsCheck(result: RunResult): { ok: boolean; lines: string[] } {
  const c = result.controller;
  const checks: [string, boolean][] = [
    [`controller ${int(c.callsMean)} calls/s mean, ${int(c.callsPeak)} peak ≤ ${BOUNDS.callsPerSecond}`, c.callsPeak <= BOUNDS.callsPerSecond],
    [`controller utilisation ${pct(c.utilMean)} mean, ${pct(c.utilPeak)} peak ≤ ${pct(BOUNDS.utilisation)}`, c.utilPeak <= BOUNDS.utilisation],
    [`flip convergence p99 ${s(result.flip.p99)} ≤ ${s(BOUNDS.flipP99Ms)}, every isolate, the operator's flip never refused`, result.flip.p99 !== null && result.flip.p99 <= BOUNDS.flipP99Ms && result.flip.missing === 0 && result.flip.refusedAttempts === 0],
    [`rollback decided ${s(result.rollback.decisionMs)} after evidence ≤ ${s(BOUNDS.rollbackMs)}`, result.rollback.decisionMs !== null && result.rollback.decisionMs <= BOUNDS.rollbackMs],
    [`user-visible errors from the control plane: ${int(result.errors.controlPlane)}`, result.errors.controlPlane === 0],
    [`every prediction counted once: ${exact(result)}`, exact(result) === "yes"],
  ];
  return { ok: checks.every(([, ok]) => ok), lines: checks.map(([text, ok]) => `${ok ? "✓" : "✗"} ${text}`) };
}
