/**
 * Cost per prediction at steady load: the router wrapped by
 * counting-worker.ts counts its Durable Object calls and KV reads; the bench
 * reads the totals before and after a stretch of load and divides by the
 * predictions served in between. The cold start (one KV read, one DO call
 * per isolate) is excluded by a warm-up before the first reading.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startLocalRouter, type LocalRouter, WORKER_ENTRY } from "../src/stack/local-router.js";

const COUNTING_ENTRY = fileURLToPath(new URL("./counting-worker.ts", import.meta.url));

/** Totals the counting wrapper keeps. */
export interface Counters {
  predictions: number;
  requests: number;
  doCalls: number;
  doCallsByMethod: Record<string, number>;
  kvReads: number;
}

/** One measured stretch. */
export interface Cost {
  predictions: number;
  seconds: number;
  doCalls: number;
  kvReads: number;
  doCallsByMethod: Record<string, number>;
  doPerPrediction: number;
  kvPerPrediction: number;
}

/** Starts the router with the counting wrapper (same Worker code, same wrangler.toml). */
export function startCountingRouter(opts: { blueOrigins: string[]; greenOrigins: string[]; adminToken: string; originToken: string }): Promise<LocalRouter> {
  return startLocalRouter({
    ...opts,
    entry: COUNTING_ENTRY,
    cron: true,
    exitOnSignal: false,
    alias: { "bluegreen-router-entry": path.resolve(WORKER_ENTRY) },
  });
}

/** Reads the wrapper's totals. */
export async function readCounters(routerUrl: string): Promise<Counters> {
  const res = await fetch(`${routerUrl}/__bench/counters`);
  if (!res.ok) throw new Error(`/__bench/counters: HTTP ${res.status}`);
  return (await res.json()) as Counters;
}

/** The cost of a stretch between two readings (pure). */
export function costBetween(before: Counters, after: Counters, seconds: number): Cost {
  const predictions = after.predictions - before.predictions;
  const doCalls = after.doCalls - before.doCalls;
  const kvReads = after.kvReads - before.kvReads;
  const doCallsByMethod: Record<string, number> = {};
  for (const [m, n] of Object.entries(after.doCallsByMethod)) {
    const d = n - (before.doCallsByMethod[m] ?? 0);
    if (d > 0) doCallsByMethod[m] = d;
  }
  return {
    predictions,
    seconds,
    doCalls,
    kvReads,
    doCallsByMethod,
    doPerPrediction: predictions > 0 ? doCalls / predictions : 0,
    kvPerPrediction: predictions > 0 ? kvReads / predictions : 0,
  };
}
