/**
 * What shadow traffic costs the user (docs/benchmarks.md "Shadow traffic"):
 * a second router in front of the same origins with green shadowed at
 * sample 1.0 (every prediction mirrored), measured beside the plain router
 * (no shadowing: the sample-0 path) in the same interleaved throughput
 * rounds, and on one connection, sequential, alternating, for the p50 the
 * user sees. Targets: added p50 ≤ 0.2 ms; throughput ≥ 0.5× (each
 * prediction costs the origins twice).
 */
import type { LocalRouter } from "../src/stack/local-router.js";
import { sequential, type SequentialStats, type Target } from "./load.js";
import { type Cleanups, type Origins, startRouter } from "./setup.js";
import { byName, f2, int, signed, type BenchResults, type TargetCheck } from "./targets.js";

/** The throughput target's name of the shadowed router. */
export const SHADOWED = "router, shadow 1.0";
/** Added p50 for the user at most, and throughput at least this share of the plain router's. */
export const SHADOW_TARGETS = { maxAddedP50Ms: 0.2, minThroughput: 0.5 } as const;

/** One-connection latency of the plain and the shadowed router, alternating rounds pooled. */
export interface ShadowCost {
  rounds: number;
  plain: SequentialStats;
  shadowed: SequentialStats;
  /** What the shadowed router's /admin/shadow said after the run: mirrors sent and dropped. */
  mirrored: { sent: number; dropped: number; compared: number; agreement: number | null } | null;
}

/** Starts a router with green shadowed at sample 1.0 for the whole run. */
export async function startShadowedRouter(o: Origins, cleanups: Cleanups): Promise<{ router: LocalRouter; workerd: number | null }> {
  const started = await startRouter(o, cleanups);
  const res = await fetch(`${started.router.url}/admin/shadow`, {
    method: "POST",
    headers: { authorization: `Bearer ${o.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ sample: 1, seconds: 86_400, reason: "bench: shadow cost" }),
  });
  if (res.status !== 200) throw new Error(`POST /admin/shadow answered ${res.status}: ${await res.text()}`);
  return started;
}

/** Sequential latency of `plain` and `shadowed`, `rounds` alternating runs of `count` requests each. */
export async function measureShadowCost(plain: Target, shadowed: Target, o: { rounds: number; count: number; adminToken: string }): Promise<ShadowCost> {
  const runs: { plain: SequentialStats[]; shadowed: SequentialStats[] } = { plain: [], shadowed: [] };
  for (let i = 0; i < o.rounds; i++) {
    const order = i % 2 === 0 ? (["plain", "shadowed"] as const) : (["shadowed", "plain"] as const);
    for (const which of order) runs[which].push(await sequential(which === "plain" ? plain : shadowed, o.count));
  }
  const pool = (xs: SequentialStats[]): SequentialStats => ({
    count: xs.reduce((n, x) => n + x.count, 0),
    errors: xs.reduce((n, x) => n + x.errors, 0),
    // The median of the rounds' p50s and p99s: one noisy round moves neither.
    p50Ms: median(xs.map((x) => x.p50Ms)),
    p99Ms: median(xs.map((x) => x.p99Ms)),
  });
  let mirrored: ShadowCost["mirrored"] = null;
  try {
    const res = await fetch(`${shadowed.url}/admin/shadow`, { headers: { authorization: `Bearer ${o.adminToken}` } });
    const { shadow } = (await res.json()) as { shadow: { sent: number; dropped: number; compared: number; agreement: { rate: number | null } } | null };
    if (shadow !== null) mirrored = { sent: shadow.sent, dropped: shadow.dropped, compared: shadow.compared, agreement: shadow.agreement.rate };
  } catch {
    // reported as not known
  }
  return { rounds: o.rounds, plain: pool(runs.plain), shadowed: pool(runs.shadowed), mirrored };
}

function median(xs: Array<number | null>): number | null {
  const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** The shadow targets: added p50 on one connection, throughput under load (pure). */
export function shadowChecks(r: BenchResults): TargetCheck[] {
  const plain = byName(r.throughput, "router")?.stats;
  const shadowed = byName(r.throughput, SHADOWED)?.stats;
  const cost = r.shadow;
  const added = cost?.plain.p50Ms != null && cost.shadowed.p50Ms != null ? cost.shadowed.p50Ms - cost.plain.p50Ms : null;
  const ratio = plain && shadowed ? shadowed.throughput / plain.throughput : null;
  return [
    {
      target: `shadow at sample 1.0: added p50 ≤ ${SHADOW_TARGETS.maxAddedP50Ms} ms`,
      observed: added === null ? "–" : `${signed(added)} ms (one connection, sequential)`,
      met: added === null ? null : added <= SHADOW_TARGETS.maxAddedP50Ms,
      note: added !== null && added > SHADOW_TARGETS.maxAddedP50Ms ? `over by ${f2(added - SHADOW_TARGETS.maxAddedP50Ms)} ms` : "",
    },
    {
      target: `shadow at sample 1.0: throughput ≥ ${SHADOW_TARGETS.minThroughput}× the unshadowed router's`,
      observed: ratio === null ? "–" : `${f2(ratio)}× (${int(shadowed!.throughput)} vs ${int(plain!.throughput)} req/s)`,
      met: ratio === null ? null : ratio >= SHADOW_TARGETS.minThroughput,
      note: "each prediction costs the origins twice",
    },
  ];
}

/** The "Shadow traffic" section of the report. */
export function shadowSection(r: BenchResults, lines: string[]): void {
  const cost = r.shadow;
  if (cost === undefined) return;
  const ms = (n: number | null) => (n === null ? "–" : `${n.toFixed(2)} ms`);
  lines.push("");
  lines.push("### Shadow traffic");
  lines.push("");
  lines.push(`One connection, sequential, ${cost.rounds} alternating rounds of ${int(cost.plain.count / cost.rounds)} predictions (median of the rounds):`);
  lines.push("");
  lines.push("| router | p50 | p99 | errors |");
  lines.push("|---|---|---|---|");
  lines.push(`| no shadowing (sample 0) | ${ms(cost.plain.p50Ms)} | ${ms(cost.plain.p99Ms)} | ${cost.plain.errors} |`);
  lines.push(`| green shadowed at sample 1.0 | ${ms(cost.shadowed.p50Ms)} | ${ms(cost.shadowed.p99Ms)} | ${cost.shadowed.errors} |`);
  if (cost.mirrored !== null) {
    const m = cost.mirrored;
    lines.push("");
    lines.push(`Mirrors over the whole run: ${int(m.sent)} sent, ${int(m.dropped)} dropped over SHADOW_MAX_IN_FLIGHT, ${int(m.compared)} compared, agreement ${m.agreement === null ? "–" : `${(m.agreement * 100).toFixed(1)}%`}.`);
  }
}
