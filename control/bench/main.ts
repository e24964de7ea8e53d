/**
 * `npm run bench`: the router against the seed's nginx and against no proxy
 * at all, side by side in one run on the same origin processes (blue v1,
 * green v2), loopback only, bounded in time:
 *
 *   1. throughput and latency — autocannon at --connections against blue
 *      direct, nginx → blue, a forward-only Worker in the same local workerd
 *      (the reference for workerd's own cost) → blue, router → blue, --duration s each in --rounds
 *      interleaved rounds; then one connection, --sequential requests each,
 *      for the latency a hop adds;
 *   2. flip under load — nginx (rewrite upstream, `nginx -s reload`) and the
 *      router (POST /admin/flip): first green / last blue answer, failures;
 *   3. automatic rollback — 50 req/s on green, healthy for --healthy s, then
 *      --fault-rate 500s; first failure → routing state back on blue; the
 *      seed's 10-second cumulative monitor computed from the same parameters;
 *   4. cost — DO calls and KV reads per prediction, counted by a wrapper
 *      around the same Worker, at --rate req/s and at saturation.
 *
 * Prints step lines, then markdown tables (and writes them to --out).
 * nginx-light is installed with apt-get when missing (root only); without it
 * only the nginx column is skipped.
 *
 *   npm run bench -- [--duration 10] [--rounds 5] [--connections 32] [--out FILE] [--skip-nginx]
 */
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { parseArgs } from "node:util";
import { z } from "zod";
import { randomToken } from "../src/stack/dev-vars.js";
import { startLocalRouter, type LocalRouter } from "../src/stack/local-router.js";
import { type ModelServerProcess, spawnModelServer, waitReady } from "../src/stack/model-server-process.js";
import { killOnExit, takeSignals } from "../src/stack/signals.js";
import { costBetween, readCounters, startCountingRouter, type Cost } from "./cost.js";
import { childrenOf, cpuSeconds, newWorkerdChild } from "./cpu.js";
import { runFlipDrill } from "./flip-drill.js";
import { poolRuns, type RawLoad, runFor, runRaw, sequential, type Target } from "./load.js";
import { describeMachine } from "./machine.js";
import { ensureNginx, type Nginx, type NginxBinary, startNginx } from "./nginx.js";
import { startPassthrough } from "./passthrough.js";
import { type BenchResults, checkTargets, renderMarkdown } from "./report.js";
import { runRollbackDrill, seedDetection } from "./rollback-drill.js";
import { startTraffic } from "./traffic.js";

const WARMUP_S = 2;
const COLORS = { v1: "blue", v2: "green" };
/** The seed's monitor: /health every 10 s, roll back when errors/requests since start > 5%. */
const SEED_POLL_S = 10;
const SEED_THRESHOLD = 0.05;

const Flags = z.strictObject({
  duration: z.coerce.number().int().min(1).max(120).default(10),
  rounds: z.coerce.number().int().min(1).max(20).default(5),
  connections: z.coerce.number().int().min(1).max(512).default(32),
  sequential: z.coerce.number().int().min(10).max(100_000).default(1000),
  rate: z.coerce.number().min(1).max(1000).default(50),
  healthy: z.coerce.number().min(0).max(120).default(10),
  "fault-rate": z.coerce.number().min(0.06).max(1).default(0.3),
  "flip-concurrency": z.coerce.number().int().min(1).max(256).default(16),
  out: z.string().min(1).optional(),
  "skip-nginx": z.boolean().default(false),
});

const step = (mark: "✓" | "·" | "!", name: string, text: string) => process.stdout.write(`${mark} ${name.padEnd(9)} ${text}\n`);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function main(): Promise<number> {
  let flags: z.infer<typeof Flags>;
  try {
    const { values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        duration: { type: "string" }, rounds: { type: "string" }, connections: { type: "string" }, sequential: { type: "string" }, rate: { type: "string" },
        healthy: { type: "string" }, "fault-rate": { type: "string" }, "flip-concurrency": { type: "string" }, out: { type: "string" },
        "skip-nginx": { type: "boolean" },
      },
    });
    flags = Flags.parse(values);
  } catch (err) {
    process.stderr.write(`error: bad flags: ${err instanceof z.ZodError ? err.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; ") : (err as Error).message}\n`);
    process.stderr.write("  fix: npm run bench -- [--duration 10] [--rounds 5] [--connections 32] [--sequential 1000] [--rate 50] [--healthy 10] [--fault-rate 0.3] [--out FILE] [--skip-nginx]\n");
    return 2;
  }

  const cleanups: Array<() => Promise<unknown>> = [];
  const servers: ModelServerProcess[] = [];
  killOnExit(() => servers.map((s) => s.proc.pid).filter((p): p is number => p !== undefined));
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
    cleanups.length = 0;
  };
  takeSignals((signal) => {
    process.stderr.write(`! ${signal}: stopping nginx, the routers and the model servers\n`);
    void cleanup().then(() => process.exit(130));
  });

  try {
    const machine = describeMachine();
    step("·", "machine", `${machine.nproc} cores, ${machine.cpu}, Node ${machine.node}, load ${machine.load.join(" / ")}${machine.others.length ? `, ${machine.others.length} other test processes running` : ""}`);

    const nginxBin: NginxBinary = flags["skip-nginx"] ? { path: null, reason: "--skip-nginx" } : await ensureNginx((line) => step("·", "nginx", line));
    const nginxVersion = nginxBin.path ? await versionOf(nginxBin.path) : null;
    step(nginxBin.path !== null ? "✓" : "!", "nginx", nginxBin.path !== null ? `${nginxVersion} at ${nginxBin.path}${nginxBin.installed ? " (just installed)" : ""}` : `skipped: ${nginxBin.reason}`);

    const originToken = randomToken();
    const adminToken = randomToken();
    const [bluePort, greenPort] = [await freePort(), await freePort()];
    for (const [part, port, version] of [["blue", bluePort, "v1"], ["green", greenPort, "v2"]] as const) {
      servers.push(spawnModelServer({ part, port, version, originToken, faultControl: true, faultRate: 0, faultLatencyMs: 0 }));
    }
    cleanups.push(() => Promise.all(servers.map((s) => s.stop())));
    await Promise.all(servers.map((s) => waitReady(s, 30_000)));
    const [blue, green] = servers as [ModelServerProcess, ModelServerProcess];
    step("✓", "origins", `blue v1 ${blue.url}, green v2 ${green.url} (access log on, to /dev/null; FAULT_CONTROL=1)`);

    let nginx: Nginx | null = null;
    if (nginxBin.path) {
      nginx = await startNginx(nginxBin.path, await freePort(), blue.url);
      cleanups.push(() => nginx!.stop());
      step("✓", "nginx", `${nginx.url} → upstream blue (worker_processes auto, upstream keepalive, access_log off)`);
    }
    const routerOpts = { blueOrigins: [blue.url], greenOrigins: [green.url], adminToken, originToken };
    let before = childrenOf(process.pid);
    const router: LocalRouter = await startLocalRouter({ ...routerOpts, cron: true, exitOnSignal: false });
    cleanups.push(() => router.stop());
    const routerWorkerd = newWorkerdChild(before);
    step("✓", "router", `${router.url} in local workerd (Miniflare), blue active`);
    before = childrenOf(process.pid);
    const passthrough = await startPassthrough(blue.url, originToken);
    cleanups.push(() => passthrough.stop());
    const passthroughWorkerd = newWorkerdChild(before);
    step("✓", "workerd", `${passthrough.url}: a passthrough Worker (forward only), the local-workerd reference`);

    const originHeaders = { "x-origin-token": originToken };
    const targets: Target[] = [
      { name: "direct", url: blue.url, headers: originHeaders },
      ...(nginx ? [{ name: "nginx", url: nginx.url, headers: originHeaders, proxyPids: [nginx.pid] }] : []),
      { name: "workerd passthrough", url: passthrough.url, headers: {}, proxyPids: passthroughWorkerd ? [passthroughWorkerd] : [] },
      { name: "router", url: router.url, headers: {}, proxyPids: routerWorkerd ? [routerWorkerd] : [] },
    ];
    const originPid = blue.proc.pid!;

    for (const t of targets) await runFor(t, WARMUP_S, flags.connections);
    step("✓", "warm-up", `${WARMUP_S} s each`);
    // Interleaved rounds in rotating order, so a neighbour's burst of CPU on this shared machine
    // lands on every target alike instead of on whichever ran at that moment.
    const roundS = flags.duration / flags.rounds;
    const raw = new Map<string, RawLoad[]>(targets.map((t) => [t.name, []]));
    const cpu = new Map<string, { proxy: number | null; origin: number | null }>(targets.map((t) => [t.name, { proxy: 0, origin: 0 }]));
    const rounds: Array<Record<string, number>> = [];
    for (let round = 0; round < flags.rounds; round++) {
      const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
      const perRound: Record<string, number> = {};
      for (const t of order) {
        const [proxy0, origin0] = [t.proxyPids?.length ? cpuSeconds(t.proxyPids) : null, cpuSeconds([originPid])];
        const run = await runRaw(t, roundS, flags.connections);
        const [proxy1, origin1] = [t.proxyPids?.length ? cpuSeconds(t.proxyPids) : null, cpuSeconds([originPid])];
        const c = cpu.get(t.name)!;
        c.proxy = c.proxy !== null && proxy0 !== null && proxy1 !== null ? c.proxy + (proxy1 - proxy0) : null;
        c.origin = c.origin !== null && origin0 !== null && origin1 !== null ? c.origin + (origin1 - origin0) : null;
        raw.get(t.name)!.push(run);
        perRound[t.name] = (run.latenciesMs.length + run.networkErrors) / (run.durationMs / 1000);
      }
      rounds.push(perRound);
      step("·", `round ${round + 1}`, order.map((t) => `${t.name} ${Math.round(perRound[t.name]!)} req/s`).join(", "));
    }
    const throughput: BenchResults["throughput"] = [];
    for (const t of targets) {
      const stats = poolRuns(raw.get(t.name)!);
      const c = cpu.get(t.name)!;
      const perRequest = (seconds: number | null) => (seconds === null || stats.total === 0 ? null : (seconds * 1000) / stats.total);
      const cpuMsPerRequest = { proxy: t.proxyPids?.length ? perRequest(c.proxy) : null, origin: perRequest(c.origin) };
      throughput.push({ name: t.name, stats, cpuMsPerRequest });
      step("✓", t.name, `${Math.round(stats.throughput)} req/s, p50 ${stats.p50Ms?.toFixed(1)} ms, p99 ${stats.p99Ms?.toFixed(1)} ms, ${stats.errors} errors, CPU per request: proxy ${cpuMsPerRequest.proxy?.toFixed(3) ?? "–"} ms, origin ${cpuMsPerRequest.origin?.toFixed(3) ?? "–"} ms`);
    }
    const seq: BenchResults["sequential"] = [];
    for (const t of targets) {
      const stats = await sequential(t, flags.sequential);
      seq.push({ name: t.name, stats });
      step("✓", t.name, `one connection: p50 ${stats.p50Ms?.toFixed(2)} ms, p99 ${stats.p99Ms?.toFixed(2)} ms over ${stats.count} requests, ${stats.errors} errors`);
    }

    const flips: BenchResults["flips"] = [];
    const drill = { colors: COLORS, from: "blue", to: "green", concurrency: flags["flip-concurrency"], beforeMs: 2_000, afterMs: 3_000 };
    if (nginx) {
      const result = await runFlipDrill({ ...drill, target: targets.find((t) => t.name === "nginx")!, flip: () => nginx!.flipTo(green.url) });
      flips.push({ name: "nginx", how: "rewrite upstream, `nginx -s reload`", result });
      step(result.failed === 0 ? "✓" : "!", "flip", `nginx: first green ${result.firstNewMs?.toFixed(1)} ms, last blue ${result.lastOldMs?.toFixed(1)} ms after the reload, ${result.failed}/${result.total} failed`);
    }
    const routerFlip = await runFlipDrill({
      ...drill,
      target: targets.find((t) => t.name === "router")!,
      flip: async () => {
        const res = await fetch(`${router.url}/admin/flip`, {
          method: "POST",
          headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
          body: JSON.stringify({ to: "green", reason: "bench: flip under load" }),
        });
        if (!res.ok) throw new Error(`router flip: HTTP ${res.status} ${await res.text()}`);
      },
    });
    flips.push({ name: "router", how: "POST /admin/flip", result: routerFlip });
    step(routerFlip.failed === 0 ? "✓" : "!", "flip", `router: first green ${routerFlip.firstNewMs?.toFixed(1)} ms, last blue ${routerFlip.lastOldMs?.toFixed(1)} ms after the flip call, ${routerFlip.failed}/${routerFlip.total} failed`);

    // A fresh deployment for the rollback drill (the flip drill left this one baking green).
    const rbRouter = await startLocalRouter({ ...routerOpts, cron: true, exitOnSignal: false });
    cleanups.push(() => rbRouter.stop());
    let rollback: BenchResults["rollback"];
    try {
      rollback = await runRollbackDrill({
        router: { name: "router", url: rbRouter.url, headers: {} },
        adminToken,
        greenUrl: green.url,
        originToken,
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

    const counting = await startCountingRouter(routerOpts);
    cleanups.push(() => counting.stop());
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

    const results: BenchResults = {
      machine,
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
      settings: {
        durationS: flags.duration, rounds: flags.rounds, roundRatios: rounds, connections: flags.connections, sequential: flags.sequential, rate: flags.rate,
        healthyS: flags.healthy, faultRate: flags["fault-rate"], flipConcurrency: flags["flip-concurrency"],
      },
      nginx: nginxBin.path !== null ? { ran: true, version: nginxVersion ?? "nginx" } : { ran: false, reason: nginxBin.reason },
      throughput,
      sequential: seq,
      flips,
      rollback,
      seed,
      cost,
    };
    const markdown = renderMarkdown(results);
    process.stdout.write(`\n${markdown}\n`);
    if (flags.out) {
      writeFileSync(flags.out, markdown + "\n");
      step("✓", "written", flags.out);
    }
    // Benchmarks, not tests: a missed target is reported in the table, the run itself succeeded.
    const missed = checkTargets(results).filter((c) => c.met === false);
    step(missed.length === 0 ? "✓" : "!", "targets", missed.length === 0 ? "all met" : `missed: ${missed.map((c) => c.target).join("; ")}`);
    return 0;
  } finally {
    await cleanup();
  }
}

async function versionOf(binary: string): Promise<string> {
  const { execFile } = await import("node:child_process");
  return new Promise((resolve) => execFile(binary, ["-v"], (_e, stdout, stderr) => resolve((stdout + stderr).trim().replace(/^nginx version: /, ""))));
}

const code = await main().catch((err: unknown) => {
  process.stderr.write(`error: the bench failed: ${(err as Error)?.stack ?? String(err)}\n`);
  return 1;
});
process.exit(code);
