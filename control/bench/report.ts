/**
 * The bench's results as markdown tables (pasted into docs/benchmarks.md)
 * and the targets of docs/benchmarks.md, each met or missed by how much (pure).
 */
import type { LoadStats } from "../src/validate/load.js";
import type { Cost } from "./cost.js";
import type { FlipResult } from "./flip-drill.js";
import type { SequentialStats } from "./load.js";
import type { Machine } from "./machine.js";
import type { RollbackResult, seedDetection } from "./rollback-drill.js";

export interface BenchResults {
  machine: Machine;
  command: string;
  settings: {
    durationS: number;
    rounds: number;
    /** req/s of each target in each interleaved round. */
    roundRatios: Array<Record<string, number>>;
    connections: number;     sequential: number;
    rate: number;
    healthyS: number;
    faultRate: number;
    flipConcurrency: number;
  };
  nginx: { ran: true; version: string } | { ran: false; reason: string };
  /** Per target: the load's stats, and CPU ms per request of the proxy's processes and of the origin. */
  throughput: Array<{ name: string; stats: LoadStats; cpuMsPerRequest?: { proxy: number | null; origin: number | null } }>;
  sequential: Array<{ name: string; stats: SequentialStats }>;
  flips: Array<{ name: string; how: string; result: FlipResult }>;
  rollback: RollbackResult | { error: string };
  seed: ReturnType<typeof seedDetection>;
  cost: Array<{ load: string; cost: Cost }>;
}

export interface TargetCheck {
  target: string;
  observed: string;
  met: boolean | null;
  note: string;
}

const f1 = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? "–" : n.toFixed(1));
const f2 = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? "–" : n.toFixed(2));
const int = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? "–" : Math.round(n).toLocaleString("en-US"));
/** "+0.64" / "−0.03": a difference with its sign. */
const signed = (n: number) => `${n < 0 ? "−" : "+"}${f2(Math.abs(n))}`;
const ms = (n: number | null | undefined) => (n === null || n === undefined ? "–" : `${n >= 100 ? Math.round(n) : n.toFixed(1)} ms`);

function byName<T extends { name: string }>(rows: T[], name: string): T | undefined {
  return rows.find((r) => r.name === name);
}

/** The targets, checked against the results. */
export function checkTargets(r: BenchResults): TargetCheck[] {
  const nginx = byName(r.throughput, "nginx")?.stats;
  const router = byName(r.throughput, "router")?.stats;
  const seqDirect = byName(r.sequential, "direct")?.stats;
  const seqRouter = byName(r.sequential, "router")?.stats;
  const checks: TargetCheck[] = [];

  const ratio = nginx && router ? router.throughput / nginx.throughput : null;
  checks.push({
    target: "router throughput ≥ 0.5× nginx's",
    observed: ratio === null ? "nginx not run" : `${f2(ratio)}×`,
    met: ratio === null ? null : ratio >= 0.5,
    note: ratio === null ? "" : ratio >= 0.5 ? "" : `short by ${f2(0.5 - ratio)}× (${int(0.5 * nginx!.throughput - router!.throughput)} req/s)`,
  });

  const added = seqDirect?.p50Ms != null && seqRouter?.p50Ms != null ? seqRouter.p50Ms - seqDirect.p50Ms : null;
  checks.push({
    target: "p50 added latency ≤ 2 ms over direct",
    observed: added === null ? "–" : `${signed(added)} ms (one connection, sequential)`,
    met: added === null ? null : added <= 2,
    note: added !== null && added > 2 ? `over by ${f2(added - 2)} ms` : "",
  });

  const routerFlip = byName(r.flips, "router")?.result;
  checks.push({
    target: "0 failed requests during a flip",
    observed: routerFlip ? `${routerFlip.failed} of ${int(routerFlip.total)}` : "–",
    met: routerFlip ? routerFlip.failed === 0 : null,
    note: routerFlip && routerFlip.failed > 0 ? `${routerFlip.failed} failed` : "",
  });

  const rb = "error" in r.rollback ? null : r.rollback;
  checks.push({
    target: `automatic rollback ≤ 3 s after the first failure at ${r.settings.rate} req/s`,
    observed: rb === null ? `not measured: ${(r.rollback as { error: string }).error}` : rb.detectionMs === null ? "no rollback within the drill" : `${f2(rb.detectionMs / 1000)} s`,
    met: rb === null ? null : rb.detectionMs !== null && rb.detectionMs <= 3000,
    note: rb?.detectionMs != null && rb.detectionMs > 3000 ? `over by ${f2((rb.detectionMs - 3000) / 1000)} s` : "",
  });

  for (const { load, cost } of r.cost) {
    checks.push({
      target: `≤ 0.02 DO calls per prediction (${load})`,
      observed: `${cost.doPerPrediction.toFixed(4)}`,
      met: cost.doPerPrediction <= 0.02,
      note: cost.doPerPrediction > 0.02 ? `over by ${(cost.doPerPrediction - 0.02).toFixed(4)}` : "",
    });
    checks.push({
      target: `≤ 0.001 KV reads per prediction (${load})`,
      observed: `${cost.kvPerPrediction.toFixed(5)}`,
      met: cost.kvPerPrediction <= 0.001,
      note: cost.kvPerPrediction > 0.001 ? `over by ${(cost.kvPerPrediction - 0.001).toFixed(5)}` : "",
    });
  }
  return checks;
}

/** Markdown for docs/benchmarks.md: machine, tables, targets. */
export function renderMarkdown(r: BenchResults): string {
  const m = r.machine;
  const lines: string[] = [];
  lines.push(`Run ${m.date} · ${m.nproc} cores, ${m.cpu} · ${m.os} · Node ${m.node} · load average ${m.load.join(" / ")} at start`);
  lines.push(`Other test runs at start: ${m.others.length === 0 ? "none seen" : m.others.length}`);
  lines.push(`Command: \`${r.command}\``);
  lines.push(r.nginx.ran ? `nginx: ${r.nginx.version}` : `nginx: skipped — ${r.nginx.reason}`);
  lines.push("");
  lines.push(
    `### Throughput and latency (${r.settings.durationS} s each in ${r.settings.rounds} interleaved rounds, ${r.settings.connections} connections, POST /predict, same origin process)`,
  );
  lines.push("");
  lines.push("| target | req/s | p50 | p99 | errors | requests | proxy CPU / request | origin CPU / request |");
  lines.push("|---|---:|---:|---:|---:|---:|---:|---:|");
  const cpuMs = (n: number | null | undefined) => (n === null || n === undefined ? "–" : `${n.toFixed(3)} ms`);
  for (const { name, stats, cpuMsPerRequest } of r.throughput) {
    lines.push(
      `| ${name} | ${int(stats.throughput)} | ${ms(stats.p50Ms)} | ${ms(stats.p99Ms)} | ${stats.errors} | ${int(stats.total)} | ${cpuMs(cpuMsPerRequest?.proxy)} | ${cpuMs(cpuMsPerRequest?.origin)} |`,
    );
  }
  const get = (n: string) => byName(r.throughput, n)?.stats.throughput;
  const ratio = (a?: number, b?: number) => (a && b ? `${f2(a / b)}×` : "–");
  lines.push("");
  lines.push(
    `Ratios: router/nginx ${ratio(get("router"), get("nginx"))} · router/direct ${ratio(get("router"), get("direct"))} · nginx/direct ${ratio(get("nginx"), get("direct"))} · workerd passthrough/nginx ${ratio(get("workerd passthrough"), get("nginx"))} · router/workerd passthrough ${ratio(get("router"), get("workerd passthrough"))}`,
  );
  const perRound = (a: string, b: string) =>
    r.settings.roundRatios.map((x) => (x[a] && x[b] ? x[a]! / x[b]! : null)).filter((x): x is number => x !== null);
  const range = (xs: number[]) => (xs.length ? `${f2(Math.min(...xs))}–${f2(Math.max(...xs))}×` : "–");
  if (r.settings.rounds > 1) {
    lines.push(
      `Per round: router/nginx ${range(perRound("router", "nginx"))} · router/direct ${range(perRound("router", "direct"))} · workerd passthrough/nginx ${range(perRound("workerd passthrough", "nginx"))}`,
    );
  }
  lines.push("");
  lines.push(`One connection, ${r.settings.sequential} sequential requests (the latency a hop adds when nothing queues):`);
  lines.push("");
  lines.push("| target | p50 | p99 | added p50 over direct |");
  lines.push("|---|---:|---:|---:|");
  const seqDirect = byName(r.sequential, "direct")?.stats.p50Ms;
  for (const { name, stats } of r.sequential) {
    const added = seqDirect != null && stats.p50Ms != null && name !== "direct" ? `${signed(stats.p50Ms - seqDirect)} ms` : "–";
    lines.push(`| ${name} | ${f2(stats.p50Ms)} ms | ${f2(stats.p99Ms)} ms | ${added} |`);
  }
  lines.push("");
  lines.push(`### Flip under load (${r.settings.flipConcurrency} requests in flight, blue → green)`);
  lines.push("");
  lines.push("| proxy | flip command | command took | first green answer | last blue answer | failed / requests | failures |");
  lines.push("|---|---|---:|---:|---:|---:|---|");
  for (const { name, how, result } of r.flips) {
    const why = Object.entries(result.failures).map(([k, v]) => `${v}× ${k}`).join(", ") || "–";
    lines.push(`| ${name} | ${how} | ${ms(result.commandMs)} | ${ms(result.firstNewMs)} | ${ms(result.lastOldMs)} | ${result.failed} / ${int(result.total)} | ${why} |`);
  }
  lines.push("");
  lines.push(`### Automatic rollback (${r.settings.rate} req/s; green healthy ${r.settings.healthyS} s after the flip, then ${Math.round(r.settings.faultRate * 100)}% HTTP 500)`);
  lines.push("");
  if ("error" in r.rollback) {
    lines.push(`Not measured: ${r.rollback.error}`);
  } else {
    const rb = r.rollback;
    lines.push("| | first failure after the fault | detection (first failure → blue active) | requests after the fault | failed over | client-visible failures | phase / reason |");
    lines.push("|---|---:|---:|---:|---:|---:|---|");
    lines.push(
      `| our controller | ${ms(rb.firstFailureAfterFaultMs)} | ${rb.detectionMs === null ? "no rollback" : `${f2(rb.detectionMs / 1000)} s`} | ${rb.requestsAfterFault} | ${rb.failovers} | ${rb.clientFailures} | ${rb.phase ?? "–"}: ${rb.reason ?? "–"} |`,
    );
  }
  if (r.seed) {
    lines.push(
      `| seed monitor (computed) | – | ${f1(r.seed.minS)}–${f1(r.seed.maxS)} s, mean ${f1(r.seed.meanS)} s | – | – | every failure until then | cumulative rate > 5% after ${f2(r.seed.crossS)} s, next 10 s poll |`,
    );
  }
  lines.push("");
  lines.push("### Cost per prediction (router with counting bindings)");
  lines.push("");
  lines.push("| load | predictions | seconds | DO calls | KV reads | DO calls / prediction | KV reads / prediction | DO calls by method |");
  lines.push("|---|---:|---:|---:|---:|---:|---:|---|");
  for (const { load, cost } of r.cost) {
    const by = Object.entries(cost.doCallsByMethod).map(([k, v]) => `${k} ${v}`).join(", ") || "–";
    lines.push(`| ${load} | ${int(cost.predictions)} | ${f1(cost.seconds)} | ${cost.doCalls} | ${cost.kvReads} | ${cost.doPerPrediction.toFixed(4)} | ${cost.kvPerPrediction.toFixed(5)} | ${by} |`);
  }
  lines.push("");
  lines.push("### Targets");
  lines.push("");
  lines.push("| target | observed | met | note |");
  lines.push("|---|---|---|---|");
  for (const c of checkTargets(r)) lines.push(`| ${c.target} | ${c.observed} | ${c.met === null ? "not measured" : c.met ? "yes" : "**no**"} | ${c.note} |`);
  return lines.join("\n");
}
