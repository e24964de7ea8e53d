/**
 * The bench's results as markdown tables (pasted into docs/benchmarks.md),
 * ending with the targets (targets.ts), pure. A run with `--only router`
 * has the throughput table, the router/passthrough ratios and the bundle
 * size, and none of the drills.
 */
import { shadowChecks, shadowSection } from "./shadow.js";
import { describeBundle } from "./bundle-size.js";
import { byName, checkTargets, EVERY_LABEL, f1, f2, int, labelTelemetryCost, ms, routerVsPassthrough, signed, UNLABELLED, type BenchResults } from "./targets.js";

const cpuMs = (n: number | null | undefined) => (n === null || n === undefined ? "–" : `${n.toFixed(3)} ms`);
const range = (xs: number[]) => (xs.length ? `${f2(Math.min(...xs))}–${f2(Math.max(...xs))}×` : "–");

function throughputSection(r: BenchResults, lines: string[]): void {
  lines.push(
    `### Throughput and latency (${r.settings.durationS} s each in ${r.settings.rounds} interleaved rounds, ${r.settings.connections} connections, POST /predict, same origin process)`,
  );
  lines.push("");
  lines.push("| target | req/s | p50 | p99 | errors | requests | proxy CPU / request | origin CPU / request |");
  lines.push("|---|---:|---:|---:|---:|---:|---:|---:|");
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
  if (r.settings.rounds > 1 && get("nginx") !== undefined) {
    lines.push(
      `Per round: router/nginx ${range(perRound("router", "nginx"))} · router/direct ${range(perRound("router", "direct"))} · workerd passthrough/nginx ${range(perRound("workerd passthrough", "nginx"))}`,
    );
  }
  const rp = routerVsPassthrough(r);
  if (rp.throughput !== null) {
    lines.push("");
    lines.push(
      `Router ÷ workerd passthrough: throughput **${f2(rp.throughput)}×** (per round ${range(rp.throughputRounds)}), proxy CPU per request **${f2(rp.cpu)}×** (per round ${range(rp.cpuRounds)})`,
    );
  }
  const us = (x: number) => `${signed(x * 1000)} µs`;
  if (r.labelCodeMicros !== undefined) {
    lines.push("");
    lines.push(`Label telemetry's own code per answer read (decode, parse, read, count; in process, Node): **${r.labelCodeMicros.toFixed(2)} µs**`);
  }
  for (const [target, what] of [
    ["router", "as configured, LABEL_MAX_PER_SECOND 200"],
    [EVERY_LABEL, "every answer read"],
  ] as const) {
    const lt = labelTelemetryCost(r, target);
    if (lt.throughput === null) continue;
    lines.push("");
    lines.push(
      `Label telemetry, ${what} ("${target}" ÷ "${UNLABELLED}"): throughput **${lt.throughput.toFixed(3)}×** (per round ${range(lt.throughputRounds)}), ` +
        `proxy CPU per prediction **${lt.cpuMsPerPrediction === null ? "–" : us(lt.cpuMsPerPrediction)}** (per round ${lt.cpuRoundsMs.length === 0 ? "–" : lt.cpuRoundsMs.map(us).join(", ")})`,
    );
  }
}

function sequentialSection(r: BenchResults, lines: string[]): void {
  if (r.sequential === undefined) return;
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
}

function flipSection(r: BenchResults, lines: string[]): void {
  if (r.flips === undefined) return;
  lines.push("");
  lines.push(`### Flip under load (${r.settings.flipConcurrency} requests in flight, blue → green)`);
  lines.push("");
  lines.push("| proxy | flip command | command took | first green answer | last blue answer | failed / requests | failures |");
  lines.push("|---|---|---:|---:|---:|---:|---|");
  for (const { name, how, result } of r.flips) {
    const why = Object.entries(result.failures).map(([k, v]) => `${v}× ${k}`).join(", ") || "–";
    lines.push(`| ${name} | ${how} | ${ms(result.commandMs)} | ${ms(result.firstNewMs)} | ${ms(result.lastOldMs)} | ${result.failed} / ${int(result.total)} | ${why} |`);
  }
}

function rollbackSection(r: BenchResults, lines: string[]): void {
  if (r.rollback === undefined) return;
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
}

function costSection(r: BenchResults, lines: string[]): void {
  if (r.cost === undefined) return;
  lines.push("");
  lines.push("### Cost per prediction (router with counting bindings)");
  lines.push("");
  lines.push("| load | predictions | seconds | DO calls | KV reads | DO calls / prediction | KV reads / prediction | DO calls by method |");
  lines.push("|---|---:|---:|---:|---:|---:|---:|---|");
  for (const { load, cost } of r.cost) {
    const by = Object.entries(cost.doCallsByMethod).map(([k, v]) => `${k} ${v}`).join(", ") || "–";
    lines.push(`| ${load} | ${int(cost.predictions)} | ${f1(cost.seconds)} | ${cost.doCalls} | ${cost.kvReads} | ${cost.doPerPrediction.toFixed(4)} | ${cost.kvPerPrediction.toFixed(5)} | ${by} |`);
  }
}

/** Markdown for docs/benchmarks.md: machine, tables, targets. */
export function renderMarkdown(r: BenchResults): string {
  const m = r.machine;
  const lines: string[] = [];
  lines.push(`Run ${m.date} · ${m.nproc} cores, ${m.cpu} · ${m.os} · Node ${m.node} · load average ${m.load.join(" / ")} at start`);
  lines.push(`Other test runs at start: ${m.others.length === 0 ? "none seen" : m.others.length}`);
  lines.push(`Command: \`${r.command}\``);
  lines.push(r.nginx.ran ? `nginx: ${r.nginx.version}` : `nginx: skipped — ${r.nginx.reason}`);
  if (r.bundle !== undefined) lines.push(`Worker bundle (wrangler deploy --dry-run): ${"error" in r.bundle ? `not measured — ${r.bundle.error}` : describeBundle(r.bundle)}`);
  lines.push("");
  throughputSection(r, lines);
  sequentialSection(r, lines);
  flipSection(r, lines);
  rollbackSection(r, lines);
  costSection(r, lines);
  shadowSection(r, lines);
  lines.push("");
  lines.push("### Targets");
  lines.push("");
  lines.push("| target | observed | met | note |");
  lines.push("|---|---|---|---|");
  for (const c of [...checkTargets(r), ...shadowChecks(r)]) lines.push(`| ${c.target} | ${c.observed} | ${c.met === null ? "not measured" : c.met ? "yes" : "**no**"} | ${c.note} |`);
  return lines.join("\n");
}
