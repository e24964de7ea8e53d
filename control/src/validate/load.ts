/**
 * Validate step 3: concurrent load with autocannon — a fixed number of
 * `POST /predict` requests at a fixed concurrency, bodies cycling through
 * real texts. Every answer's latency is recorded (errors included, since a
 * slow failure is still slow) to compute p50/p95/p99 exactly. A batch's raw
 * outcome (`LoadOutcome`) is kept apart from its summary so that batches of
 * an interleaved run (interleave.ts) can be merged before summarizing.
 */
import autocannon from "autocannon";
import type { Endpoint } from "../http.js";

export interface LoadOptions {
  requests: number;
  concurrency: number;
  /** Per-request timeout. */
  timeoutMs: number;
  /** Stop the whole step after this long (a dead server must not hang the CLI). */
  deadlineMs: number;
  /** Request texts, used in turn. */
  texts: string[];
}

export interface LoadStats {
  /** Requests that finished: answered or failed. */
  total: number;
  /** Answers that were not 2xx, plus network errors and timeouts. */
  errors: number;
  errorRate: number;
  non2xx: number;
  networkErrors: number;
  timeouts: number;
  statusCounts: Record<string, number>;
  durationMs: number;
  /** Finished requests per second. */
  throughput: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** True when the deadline cut the run short. */
  cutShort: boolean;
}

/** Nearest-rank percentile of ascending `sorted` values (q in 0..100). */
export function percentile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((q / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** What one batch of load saw, before summarizing. */
export interface LoadOutcome {
  latenciesMs: number[];
  statusCounts: Record<string, number>;
  networkErrors: number;
  timeouts: number;
  durationMs: number;
  cutShort: boolean;
}

/** Summarizes raw outcomes into LoadStats (pure). */
export function summarizeLoad(input: LoadOutcome): LoadStats {
  const sorted = [...input.latenciesMs].sort((a, b) => a - b);
  const answered = Object.values(input.statusCounts).reduce((a, b) => a + b, 0);
  const non2xx = Object.entries(input.statusCounts)
    .filter(([code]) => !code.startsWith("2"))
    .reduce((a, [, n]) => a + n, 0);
  const total = answered + input.networkErrors;
  const errors = non2xx + input.networkErrors;
  return {
    total,
    errors,
    errorRate: total === 0 ? 0 : errors / total,
    non2xx,
    networkErrors: input.networkErrors,
    timeouts: input.timeouts,
    statusCounts: input.statusCounts,
    durationMs: input.durationMs,
    throughput: input.durationMs > 0 ? total / (input.durationMs / 1000) : 0,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? sorted[sorted.length - 1]! : null,
    cutShort: input.cutShort,
  };
}

/** Runs the load; `onDone` is called once per finished request (for a progress bar). */
export async function runLoad(endpoint: Endpoint, opts: LoadOptions, onDone?: () => void): Promise<LoadStats> {
  return summarizeLoad(await runLoadBatch(endpoint, opts, onDone));
}

/** Runs one batch of load and resolves with its raw outcome (the deadline cuts it short). */
export function runLoadBatch(endpoint: Endpoint, opts: LoadOptions, onDone?: () => void): Promise<LoadOutcome> {
  const texts = opts.texts.length > 0 ? opts.texts : ["The service works as expected."];
  const headers = { ...endpoint.headers, "content-type": "application/json" };
  const requests = texts.slice(0, 64).map((text) => ({ method: "POST" as const, path: "/predict", headers, body: JSON.stringify({ text }) }));
  const latenciesMs: number[] = [];
  const statusCounts: Record<string, number> = {};
  let networkErrors = 0;
  let timeouts = 0;
  let cutShort = false;
  const started = performance.now();
  // Throughput runs to the last answer, not to autocannon's next sampling tick.
  let lastAt = started;

  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: endpoint.baseUrl,
        amount: opts.requests,
        connections: Math.max(1, Math.min(opts.concurrency, opts.requests)),
        timeout: Math.max(1, Math.ceil(opts.timeoutMs / 1000)),
        requests,
        // autocannon notices the end on its sampling tick: sample often so the step ends promptly.
        sampleInt: 100,
      },
      (err) => {
        clearTimeout(deadline);
        if (err) return reject(err);
        resolve({ latenciesMs, statusCounts, networkErrors, timeouts, durationMs: lastAt - started, cutShort });
      },
    );
    const deadline = setTimeout(() => {
      cutShort = true;
      instance.stop();
    }, Math.max(0, opts.deadlineMs));
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      lastAt = performance.now();
      latenciesMs.push(responseTime);
      statusCounts[String(statusCode)] = (statusCounts[String(statusCode)] ?? 0) + 1;
      onDone?.();
    });
    instance.on("reqError", (err: Error) => {
      lastAt = performance.now();
      networkErrors++;
      if (/timed out/i.test(err?.message ?? "")) timeouts++;
      onDone?.();
    });
  });
}
