/**
 * The bench's drills after the throughput rounds (skipped by --only router):
 * one-connection latency per target, a flip under load through nginx and
 * through the router, the automatic rollback on a fresh deployment, and the
 * cost per prediction in controller calls and KV reads (counting router).
 */
import type { LocalRouter } from "../src/stack/local-router.js";
import { costBetween, readCounters, startCountingRouter, type Cost } from "./cost.js";
import { runFlipDrill } from "./flip-drill.js";
import { runFor, sequential, type Target } from "./load.js";
import type { Nginx } from "./nginx.js";
import { runRollbackDrill, seedDetection } from "./rollback-drill.js";
import { type Cleanups, type Origins, routerOptions, startRouter, step } from "./setup.js";
import type { BenchResults } from "./targets.js";
import { startTraffic } from "./traffic.js";

const WARMUP_S = 2;
const COLORS = { v1: "blue", v2: "green" };
/** The seed's monitor: /health every 10 s, roll back when errors/requests since start > 5%. */
const SEED_POLL_S = 10;
const SEED_THRESHOLD = 0.05;

export interface DrillSettings {
  duration: number;
  connections: number;
  sequential: number;
  rate: number;
  healthy: number;
  "fault-rate": number;
  "flip-concurrency": number;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the drills; the results' drill fields. */
export async function runDrills(
  o: Origins,
  cleanups: Cleanups,
  targets: Target[],
  router: LocalRouter,
  nginx: Nginx | null,
  flags: DrillSettings,
): Promise<Pick<BenchResults, "sequential" | "flips" | "rollback" | "seed" | "cost">> {
  const seq: NonNullable<BenchResults["sequential"]> = [];
  for (const t of targets) {
    const stats = await sequential(t, flags.sequential);
    seq.push({ name: t.name, stats });
    step("✓", t.name, `one connection: p50 ${stats.p50Ms?.toFixed(2)} ms, p99 ${stats.p99Ms?.toFixed(2)} ms over ${stats.count} requests, ${stats.errors} errors`);
  }

  const flips: NonNullable<BenchResults["flips"]> = [];
  const drill = { colors: COLORS, from: "blue", to: "green", concurrency: flags["flip-concurrency"], beforeMs: 2_000, afterMs: 3_000 };
  if (nginx) {
    const result = await runFlipDrill({ ...drill, target: targets.find((t) => t.name === "nginx")!, flip: () => nginx.flipTo(o.green.url) });
    flips.push({ name: "nginx", how: "rewrite upstream, `nginx -s reload`", result });
    step(result.failed === 0 ? "✓" : "!", "flip", `nginx: first green ${result.firstNewMs?.toFixed(1)} ms, last blue ${result.lastOldMs?.toFixed(1)} ms after the reload, ${result.failed}/${result.total} failed`);
  }
  const routerFlip = await runFlipDrill({
    ...drill,
    target: targets.find((t) => t.name === "router")!,
    flip: async () => {
      const res = await fetch(`${router.url}/admin/flip`, {
        method: "POST",
        headers: { authorization: `Bearer ${o.adminToken}`, "content-type": "application/json" },
        body: JSON.stringify({ to: "green", reason: "bench: flip under load" }),
      });
      if (!res.ok) throw new Error(`router flip: HTTP ${res.status} ${await res.text()}`);
    },
  });
  flips.push({ name: "router", how: "POST /admin/flip", result: routerFlip });
  step(routerFlip.failed === 0 ? "✓" : "!", "flip", `router: first green ${routerFlip.firstNewMs?.toFixed(1)} ms, last blue ${routerFlip.lastOldMs?.toFixed(1)} ms after the flip call, ${routerFlip.failed}/${routerFlip.total} failed`);

  // A fresh deployment for the rollback drill (the flip drill left this one baking green).
  const { router: rbRouter } = await startRouter(o, cleanups);
  let rollback: NonNullable<BenchResults["rollback"]>;
  try {
    rollback = await runRollbackDrill({
      router: { name: "router", url: rbRouter.url, headers: {} },
      adminToken: o.adminToken,
      greenUrl: o.green.url,
      originToken: o.originToken,
      colors: COLORS,
      ratePerSecond: flags.rate,
      healthySeconds: flags.healthy,
      faultRate: flags["fault-rate"],
      timeoutMs: 20_000,
    });
    step(rollback.detectionMs !== null ? "✓" : "!", "rollback", rollback.detectionMs !== null ? `back on blue ${(rollback.detectionMs / 1000).toFixed(2)} s after the first failure (${rollback.phase}: ${rollback.reason})` : "no automatic rollback within 20 s of the fault");
  } catch (err) {
    rollback = { error: (err as Error).message };
    step("!", "rollback", `not measured: ${rollback.error}`);
  }
  await rbRouter.stop();
  const seed = seedDetection({ ratePerSecond: flags.rate, healthySeconds: flags.healthy, faultRate: flags["fault-rate"], pollSeconds: SEED_POLL_S, threshold: SEED_THRESHOLD });

  const counting = await startCountingRouter({ ...routerOptions(o), originToken: o.originToken });
  cleanups.add(() => counting.stop());
  const countingTarget: Target = { name: "router (counting)", url: counting.url, headers: {} };
  await runFor(countingTarget, WARMUP_S, flags.connections);
  await wait(1_500); // let the warm-up's last report go out
  const cost: Array<{ load: string; cost: Cost }> = [];
  let counters0 = await readCounters(counting.url);
  let t = performance.now();
  const steady = startTraffic({ target: countingTarget, colors: COLORS, ratePerSecond: flags.rate });
  // At least 20 s: one sync per second is the expected cost here, so one sync more or less is ±5%, not ±10%.
  await wait(Math.max(20, flags.duration) * 1000);
  await steady.stop();
  let after = await readCounters(counting.url);
  cost.push({ load: `${flags.rate} req/s`, cost: costBetween(counters0, after, (performance.now() - t) / 1000) });
  counters0 = after;
  t = performance.now();
  const saturated = await runFor(countingTarget, flags.duration, flags.connections);
  after = await readCounters(counting.url);
  cost.push({ load: `saturated, ${Math.round(saturated.throughput)} req/s`, cost: costBetween(counters0, after, (performance.now() - t) / 1000) });
  for (const c of cost) step("✓", "cost", `${c.load}: ${c.cost.doPerPrediction.toFixed(4)} DO calls and ${c.cost.kvPerPrediction.toFixed(5)} KV reads per prediction (${c.cost.doCalls} calls, ${c.cost.kvReads} reads, ${c.cost.predictions} predictions)`);

  return { sequential: seq, flips, rollback, seed, cost };
}
