/**
 * What a bench run measured (BenchResults) and the targets, each met or
 * missed by how much (pure): router vs nginx, added latency, flips,
 * rollback, cost per prediction, and the hot path's — router vs the
 * passthrough Worker in throughput and CPU per request, and the bundle size.
 */
import type { LoadStats } from "../src/validate/load.js";
import { describeBundle, type BundleSize } from "./bundle-size.js";
import type { Cost } from "./cost.js";
import type { FlipResult } from "./flip-drill.js";
import type { SequentialStats } from "./load.js";
import type { Machine } from "./machine.js";
import type { ShadowCost } from "./shadow.js";
import type { RollbackResult, seedDetection } from "./rollback-drill.js";

export interface BenchResults {
  machine: Machine;
  command: string;
  settings: {
    durationS: number;
    rounds: number;
    /** req/s of each target in each interleaved round. */
    roundRatios: Array<Record<string, number>>;
    /** Proxy CPU ms per request of each target in each round. */
    cpuRounds?: Array<Record<string, number | null>>;
    connections: number;
    sequential: number;
    rate: number;
    healthyS: number;
    faultRate: number;
    flipConcurrency: number;
  };
  nginx: { ran: true; version: string } | { ran: false; reason: string };
  /** Per target: the load's stats, and CPU ms per request of the proxy's processes and of the origin. */
  throughput: Array<{ name: string; stats: LoadStats; cpuMsPerRequest?: { proxy: number | null; origin: number | null } }>;
  /** The drills; absent with --only router. */
  sequential?: Array<{ name: string; stats: SequentialStats }>;
  flips?: Array<{ name: string; how: string; result: FlipResult }>;
  rollback?: RollbackResult | { error: string };
  seed?: ReturnType<typeof seedDetection>;
  cost?: Array<{ load: string; cost: Cost }>;
  /** The label telemetry's code per answer, in process (label-cost.ts), µs. */
  labelCodeMicros?: number;
  /** The deployable Worker script (`wrangler deploy --dry-run`). */
  bundle?: BundleSize | { error: string };
  /** The plain router against one shadowing green at sample 1.0 (shadow.ts). */
  shadow?: ShadowCost;
}

/** The router against the passthrough Worker in the same local workerd: what the router's own logic costs. */
export const ROUTER_VS_PASSTHROUGH = { minThroughput: 0.9, maxCpu: 1.15 } as const;
/** The bench target of the router with LABEL_TELEMETRY=off, beside "router" (on, the default). */
export const UNLABELLED = "router, labels off";
/** The same router reading every answer's labels (LABEL_MAX_PER_SECOND unbounded): the cost per answer read. */
export const EVERY_LABEL = "router, every answer read";
/** Label telemetry may cost the router at most 5% of its throughput. */
export const MIN_LABELLED_THROUGHPUT = 0.95;

/**
 * Router with label telemetry ÷ without: throughput (pooled and per round)
 * and the added proxy CPU per prediction (ms; one prediction a request) —
 * of the router as configured ("router", LABEL_MAX_PER_SECOND's default),
 * or of the one reading every answer (`target` EVERY_LABEL).
 */
export function labelTelemetryCost(
  r: BenchResults,
  target: string = "router",
): { throughput: number | null; throughputRounds: number[]; cpuMsPerPrediction: number | null; cpuRoundsMs: number[] } {
  const on = byName(r.throughput, target);
  const off = byName(r.throughput, UNLABELLED);
  const ratio = (a: number | null | undefined, b: number | null | undefined) => (a != null && b != null && b > 0 ? a / b : null);
  const diff = (a: number | null | undefined, b: number | null | undefined) => (a != null && b != null ? a - b : null);
  return {
    throughput: ratio(on?.stats.throughput, off?.stats.throughput),
    throughputRounds: r.settings.roundRatios.map((x) => ratio(x[target], x[UNLABELLED])).filter((x): x is number => x !== null),
    cpuMsPerPrediction: diff(on?.cpuMsPerRequest?.proxy, off?.cpuMsPerRequest?.proxy),
    cpuRoundsMs: (r.settings.cpuRounds ?? []).map((x) => diff(x[target], x[UNLABELLED])).filter((x): x is number => x !== null),
  };
}

/** The Worker bundle's target, uncompressed. */
export const MAX_BUNDLE_BYTES = 300 * 1024;

/** Router ÷ passthrough: throughput and proxy CPU per request, pooled over the run and per round (null when either is missing). */
export function routerVsPassthrough(r: BenchResults): { throughput: number | null; cpu: number | null; throughputRounds: number[]; cpuRounds: number[] } {
  const router = byName(r.throughput, "router");
  const pass = byName(r.throughput, "workerd passthrough");
  const ratio = (a: number | null | undefined, b: number | null | undefined) => (a != null && b != null && b > 0 ? a / b : null);
  const rounds = (xs: Array<Record<string, number | null>> | undefined) =>
    (xs ?? []).map((x) => ratio(x["router"], x["workerd passthrough"])).filter((x): x is number => x !== null);
  return {
    throughput: ratio(router?.stats.throughput, pass?.stats.throughput),
    cpu: ratio(router?.cpuMsPerRequest?.proxy, pass?.cpuMsPerRequest?.proxy),
    throughputRounds: rounds(r.settings.roundRatios),
    cpuRounds: rounds(r.settings.cpuRounds),
  };
}

export interface TargetCheck {
  target: string;
  observed: string;
  met: boolean | null;
  note: string;
}

export const f1 = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? "–" : n.toFixed(1));
export const f2 = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? "–" : n.toFixed(2));
export const int = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? "–" : Math.round(n).toLocaleString("en-US"));
/** "+0.64" / "−0.03": a difference with its sign. */
export const signed = (n: number) => `${n < 0 ? "−" : "+"}${f2(Math.abs(n))}`;
export const ms = (n: number | null | undefined) => (n === null || n === undefined ? "–" : `${n >= 100 ? Math.round(n) : n.toFixed(1)} ms`);

export function byName<T extends { name: string }>(rows: T[], name: string): T | undefined {
  return rows.find((r) => r.name === name);
}

/** The targets, checked against the results. */
export function checkTargets(r: BenchResults): TargetCheck[] {
  const nginx = byName(r.throughput, "nginx")?.stats;
  const router = byName(r.throughput, "router")?.stats;
  const seqDirect = byName(r.sequential ?? [], "direct")?.stats;
  const seqRouter = byName(r.sequential ?? [], "router")?.stats;
  const checks: TargetCheck[] = [];

  const ratio = nginx && router ? router.throughput / nginx.throughput : null;
  checks.push({
    target: "router throughput ≥ 0.5× nginx's",
    observed: ratio === null ? "nginx not run" : `${f2(ratio)}×`,
    met: ratio === null ? null : ratio >= 0.5,
    note: ratio === null ? "" : ratio >= 0.5 ? "" : `short by ${f2(0.5 - ratio)}× (${int(0.5 * nginx!.throughput - router!.throughput)} req/s)`,
  });

  if (r.sequential === undefined) return [...checks, ...hotPathChecks(r)];
  const added = seqDirect?.p50Ms != null && seqRouter?.p50Ms != null ? seqRouter.p50Ms - seqDirect.p50Ms : null;
  checks.push({
    target: "p50 added latency ≤ 2 ms over direct",
    observed: added === null ? "–" : `${signed(added)} ms (one connection, sequential)`,
    met: added === null ? null : added <= 2,
    note: added !== null && added > 2 ? `over by ${f2(added - 2)} ms` : "",
  });

  const routerFlip = byName(r.flips ?? [], "router")?.result;
  checks.push({
    target: "0 failed requests during a flip",
    observed: routerFlip ? `${routerFlip.failed} of ${int(routerFlip.total)}` : "–",
    met: routerFlip ? routerFlip.failed === 0 : null,
    note: routerFlip && routerFlip.failed > 0 ? `${routerFlip.failed} failed` : "",
  });

  const rb = r.rollback === undefined || "error" in r.rollback ? null : r.rollback;
  checks.push({
    target: `automatic rollback ≤ 3 s after the first failure at ${r.settings.rate} req/s`,
    observed: rb === null ? `not measured: ${(r.rollback as { error: string } | undefined)?.error ?? "not run"}` : rb.detectionMs === null ? "no rollback within the drill" : `${f2(rb.detectionMs / 1000)} s`,
    met: rb === null ? null : rb.detectionMs !== null && rb.detectionMs <= 3000,
    note: rb?.detectionMs != null && rb.detectionMs > 3000 ? `over by ${f2((rb.detectionMs - 3000) / 1000)} s` : "",
  });

  for (const { load, cost } of r.cost ?? []) {
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
  return [...checks, ...hotPathChecks(r)];
}

/** The hot path's targets: router against passthrough (when the passthrough ran) and the bundle size (when measured). */
function hotPathChecks(r: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const rp = routerVsPassthrough(r);
  const { minThroughput, maxCpu } = ROUTER_VS_PASSTHROUGH;
  if (rp.throughput !== null) {
    checks.push({
      target: `router throughput ≥ ${minThroughput}× the passthrough Worker's`,
      observed: `${f2(rp.throughput)}×`,
      met: rp.throughput >= minThroughput,
      note: rp.throughput >= minThroughput ? "" : `short by ${f2(minThroughput - rp.throughput)}×`,
    });
  }
  if (rp.cpu !== null) {
    checks.push({
      target: `router CPU per request ≤ ${maxCpu}× the passthrough Worker's`,
      observed: `${f2(rp.cpu)}×`,
      met: rp.cpu <= maxCpu,
      note: rp.cpu <= maxCpu ? "" : `over by ${f2(rp.cpu - maxCpu)}×`,
    });
  }
  const lt = labelTelemetryCost(r);
  if (lt.throughput !== null) {
    checks.push({
      target: `router throughput with label telemetry ≥ ${MIN_LABELLED_THROUGHPUT}× without (LABEL_TELEMETRY=off)`,
      observed: `${lt.throughput.toFixed(3)}×, ${lt.cpuMsPerPrediction === null ? "–" : `${signed(lt.cpuMsPerPrediction * 1000)} µs`} CPU per prediction`,
      met: lt.throughput >= MIN_LABELLED_THROUGHPUT,
      note: lt.throughput >= MIN_LABELLED_THROUGHPUT ? "" : `short by ${(MIN_LABELLED_THROUGHPUT - lt.throughput).toFixed(3)}×`,
    });
  }
  if (r.bundle !== undefined) {
    const b = r.bundle;
    checks.push({
      target: `Worker bundle ≤ ${MAX_BUNDLE_BYTES / 1024} KiB (wrangler deploy --dry-run)`,
      observed: "error" in b ? `not measured: ${b.error}` : describeBundle(b),
      met: "error" in b ? null : b.bytes <= MAX_BUNDLE_BYTES,
      note: "error" in b || b.bytes <= MAX_BUNDLE_BYTES ? "" : `over by ${((b.bytes - MAX_BUNDLE_BYTES) / 1024).toFixed(1)} KiB`,
    });
  }
  return checks;
}
