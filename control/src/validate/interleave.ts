/**
 * The load step with a baseline: the target and the serving colour take the
 * same load in round-robin batches (target, baseline, then baseline, target,
 * …: an even number of rounds, so neither side goes first more often), so
 * that whatever else the machine is doing hits both alike and their p99s can
 * be compared (gates.ts, assessP99). A warm-up batch to each side comes
 * first and is not counted: the first batch of a run is slower (the load
 * generator's own JIT, fresh connections) and would otherwise always count
 * against the side that goes first. More, shorter rounds spread a burst of
 * other work over both sides; a batch still sends at least one request per
 * connection.
 */
import type { Endpoint } from "../http.js";
import { type LoadOptions, type LoadOutcome, type LoadStats, runLoadBatch, summarizeLoad } from "./load.js";

/** At most this many rounds: more would mostly add connection set-ups. */
export const MAX_ROUNDS = 8;

/** Batch sizes, one per round, adding up to `requests`: an even number of rounds (or one), each batch ≥ `concurrency` (pure). */
export function roundSizes(requests: number, concurrency: number): number[] {
  const fit = Math.min(MAX_ROUNDS, Math.floor(requests / Math.max(1, concurrency)));
  const rounds = fit >= 2 ? fit - (fit % 2) : 1;
  const base = Math.floor(requests / rounds);
  return Array.from({ length: rounds }, (_, i) => base + (i < requests % rounds ? 1 : 0));
}

/** Adds the outcomes of several batches into one (pure). */
export function mergeOutcomes(outcomes: LoadOutcome[]): LoadOutcome {
  const statusCounts: Record<string, number> = {};
  for (const o of outcomes) for (const [code, n] of Object.entries(o.statusCounts)) statusCounts[code] = (statusCounts[code] ?? 0) + n;
  return {
    latenciesMs: outcomes.flatMap((o) => o.latenciesMs),
    statusCounts,
    networkErrors: outcomes.reduce((a, o) => a + o.networkErrors, 0),
    timeouts: outcomes.reduce((a, o) => a + o.timeouts, 0),
    durationMs: outcomes.reduce((a, o) => a + o.durationMs, 0),
    cutShort: outcomes.some((o) => o.cutShort),
  };
}

/** Which side goes first in round `i`: alternating, so neither always follows the other. */
export function roundOrder(i: number): ["target", "baseline"] | ["baseline", "target"] {
  return i % 2 === 0 ? ["target", "baseline"] : ["baseline", "target"];
}

export interface InterleavedLoad {
  target: LoadStats;
  baseline: LoadStats;
  rounds: number;
}

/**
 * Runs `opts.requests` on each side in round-robin batches; `opts.deadlineMs`
 * bounds the whole run. `onDone` is called once per finished request, either side.
 */
export async function runInterleavedLoad(
  target: Endpoint,
  baseline: Endpoint,
  opts: LoadOptions,
  onDone?: () => void,
): Promise<InterleavedLoad> {
  const sizes = roundSizes(opts.requests, opts.concurrency);
  const done: Record<"target" | "baseline", LoadOutcome[]> = { target: [], baseline: [] };
  const endpoints = { target, baseline };
  const deadlineAt = performance.now() + opts.deadlineMs;
  const batch = (endpoint: Endpoint, requests: number, tick?: () => void) =>
    runLoadBatch(endpoint, { ...opts, requests, deadlineMs: deadlineAt - performance.now() }, tick);
  // Warm-up, not counted: one request per connection to each side.
  const warmUp = Math.min(opts.requests, Math.max(1, opts.concurrency));
  await batch(baseline, warmUp);
  await batch(target, warmUp);
  rounds: for (const [i, size] of sizes.entries()) {
    for (const side of roundOrder(i)) {
      if (deadlineAt - performance.now() <= 0) {
        for (const list of Object.values(done)) list.push({ latenciesMs: [], statusCounts: {}, networkErrors: 0, timeouts: 0, durationMs: 0, cutShort: true });
        break rounds;
      }
      done[side].push(await batch(endpoints[side], size, onDone));
    }
  }
  return { target: summarizeLoad(mergeOutcomes(done.target)), baseline: summarizeLoad(mergeOutcomes(done.baseline)), rounds: sizes.length };
}
