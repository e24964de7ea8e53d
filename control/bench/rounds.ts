/**
 * Throughput in interleaved rounds: each target runs a short autocannon
 * stretch per round, in an order that rotates every round, so that a
 * neighbour's burst of CPU on this shared machine lands on every target
 * alike instead of on whichever ran at that moment. Per target: every
 * answer's latency pooled, and the CPU its proxy processes and the origin
 * spent (from /proc) per request.
 */
import { cpuSeconds } from "./cpu.js";
import { poolRuns, type RawLoad, runRaw, type Target } from "./load.js";
import type { LoadStats } from "../src/validate/load.js";

export interface RoundsResult {
  /** Per target, in the order given. */
  targets: Array<{ name: string; stats: LoadStats; cpuMsPerRequest: { proxy: number | null; origin: number | null } }>;
  /** req/s of each target in each round. */
  perRound: Array<Record<string, number>>;
  /** Proxy CPU ms per request of each target in each round (null where not measured). */
  cpuPerRound: Array<Record<string, number | null>>;
}

/** Runs `rounds` rounds of `roundS` seconds per target; `onRound` gets each round's req/s. */
export async function runRounds(
  targets: Target[],
  opts: { rounds: number; roundS: number; connections: number; originPid: number; onRound?: (round: number, order: Target[], reqPerS: Record<string, number>) => void },
): Promise<RoundsResult> {
  const raw = new Map<string, RawLoad[]>(targets.map((t) => [t.name, []]));
  const cpu = new Map<string, { proxy: number | null; origin: number | null }>(targets.map((t) => [t.name, { proxy: 0, origin: 0 }]));
  const perRound: Array<Record<string, number>> = [];
  const cpuPerRound: Array<Record<string, number | null>> = [];
  for (let round = 0; round < opts.rounds; round++) {
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
    const reqPerS: Record<string, number> = {};
    const cpuMs: Record<string, number | null> = {};
    for (const t of order) {
      const proxy0 = t.proxyPids?.length ? cpuSeconds(t.proxyPids) : null;
      const origin0 = cpuSeconds([opts.originPid]);
      const run = await runRaw(t, opts.roundS, opts.connections);
      const proxy1 = t.proxyPids?.length ? cpuSeconds(t.proxyPids) : null;
      const origin1 = cpuSeconds([opts.originPid]);
      const c = cpu.get(t.name)!;
      c.proxy = c.proxy !== null && proxy0 !== null && proxy1 !== null ? c.proxy + (proxy1 - proxy0) : null;
      c.origin = c.origin !== null && origin0 !== null && origin1 !== null ? c.origin + (origin1 - origin0) : null;
      raw.get(t.name)!.push(run);
      const answered = run.latenciesMs.length + run.networkErrors;
      reqPerS[t.name] = answered / (run.durationMs / 1000);
      cpuMs[t.name] = proxy0 !== null && proxy1 !== null && answered > 0 ? ((proxy1 - proxy0) * 1000) / answered : null;
    }
    perRound.push(reqPerS);
    cpuPerRound.push(cpuMs);
    opts.onRound?.(round, order, reqPerS);
  }
  const results: RoundsResult["targets"] = targets.map((t) => {
    const stats = poolRuns(raw.get(t.name)!);
    const c = cpu.get(t.name)!;
    const perRequest = (seconds: number | null) => (seconds === null || stats.total === 0 ? null : (seconds * 1000) / stats.total);
    return { name: t.name, stats, cpuMsPerRequest: { proxy: t.proxyPids?.length ? perRequest(c.proxy) : null, origin: perRequest(c.origin) } };
  });
  return { targets: results, perRound, cpuPerRound };
}
