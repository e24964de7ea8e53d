/**
 * Load for the bench: autocannon for a fixed time at a fixed number of
 * connections against POST /predict (every answer's latency kept, so p50/p99
 * are exact), and a one-connection sequential probe for the latency a proxy
 * adds when nothing queues.
 */
import { Agent, request } from "node:http";
import autocannon from "autocannon";
import { percentile, summarizeLoad, type LoadStats } from "../src/validate/load.js";

import { TEXTS } from "../../model-server/bench/texts.js";

/** Where to send predictions, and the headers every request carries. */
export interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** Processes doing the proxying (their CPU per request is reported); none for direct. */
  proxyPids?: number[];
}

/** The raw outcomes of one or more runs, to pool before summarizing. */
export interface RawLoad {
  latenciesMs: number[];
  statusCounts: Record<string, number>;
  networkErrors: number;
  timeouts: number;
  durationMs: number;
}

/** Pools runs (e.g. interleaved rounds) and summarizes them as one (pure). */
export function poolRuns(runs: RawLoad[]): LoadStats {
  const statusCounts: Record<string, number> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.statusCounts)) statusCounts[k] = (statusCounts[k] ?? 0) + v;
  return summarizeLoad({
    latenciesMs: runs.flatMap((r) => r.latenciesMs),
    statusCounts,
    networkErrors: runs.reduce((a, r) => a + r.networkErrors, 0),
    timeouts: runs.reduce((a, r) => a + r.timeouts, 0),
    durationMs: runs.reduce((a, r) => a + r.durationMs, 0),
    cutShort: false,
  });
}

/** autocannon for `durationS` seconds at `connections`; exact latencies from every answer. */
export async function runFor(target: Target, durationS: number, connections: number): Promise<LoadStats> {
  return poolRuns([await runRaw(target, durationS, connections)]);
}

/** Like runFor, but the raw outcomes. */
export function runRaw(target: Target, durationS: number, connections: number): Promise<RawLoad> {
  const headers = { ...target.headers, "content-type": "application/json" };
  const requests = TEXTS.map((text) => ({ method: "POST" as const, path: "/predict", headers, body: JSON.stringify({ text }) }));
  const latenciesMs: number[] = [];
  const statusCounts: Record<string, number> = {};
  let networkErrors = 0;
  let timeouts = 0;
  const started = performance.now();
  let lastAt = started;
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url: target.url, duration: durationS, connections, requests, timeout: 10 }, (err) => {
      if (err) return reject(err);
      resolve({ latenciesMs, statusCounts, networkErrors, timeouts, durationMs: lastAt - started });
    });
    instance.on("response", (_c, statusCode, _b, responseTime) => {
      lastAt = performance.now();
      latenciesMs.push(responseTime);
      statusCounts[String(statusCode)] = (statusCounts[String(statusCode)] ?? 0) + 1;
    });
    instance.on("reqError", (err: Error) => {
      lastAt = performance.now();
      networkErrors++;
      if (/timed out/i.test(err?.message ?? "")) timeouts++;
    });
  });
}

/** Latency of `count` sequential requests on one keep-alive connection. */
export interface SequentialStats {
  count: number;
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

/** Sends `count` predictions one after the other on one kept-alive connection. */
export async function sequential(target: Target, count: number): Promise<SequentialStats> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL("/predict", target.url);
  const latencies: number[] = [];
  let errors = 0;
  try {
    for (let i = 0; i < count; i++) {
      const body = JSON.stringify({ text: TEXTS[i % TEXTS.length] });
      const started = performance.now();
      const status = await new Promise<number>((resolve) => {
        const req = request(
          url,
          { method: "POST", agent, headers: { ...target.headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        req.on("error", () => resolve(0));
        req.end(body);
      });
      latencies.push(performance.now() - started);
      if (status < 200 || status > 299) errors++;
    }
  } finally {
    agent.destroy();
  }
  latencies.sort((a, b) => a - b);
  return { count, errors, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}
