/**
 * `npm run bench`: the router against the seed's nginx, against a
 * forward-only Worker in the same local workerd, and against no proxy at
 * all, side by side in one run on the same origin processes (blue v1,
 * green v2), loopback only, bounded in time:
 *
 *   1. throughput and latency — autocannon at --connections against blue
 *      direct, nginx → blue, the passthrough Worker (the reference for
 *      workerd's own cost) → blue, router → blue, --duration s each in
 *      --rounds interleaved rounds, with the CPU each request cost the proxy
 *      and the origin; router ÷ passthrough in throughput and CPU; and a
 *      second router with LABEL_TELEMETRY=off and a third reading every
 *      answer's labels (LABEL_MAX_PER_SECOND unbounded): what label
 *      telemetry costs as configured and per answer read (CPU per
 *      prediction, throughput with ÷ without);
 *   2. the Worker bundle's size (`wrangler deploy --dry-run`);
 *   3. the drills (drills.ts): one-connection latency, flip under load,
 *      automatic rollback, cost per prediction.
 *
 * `--only router` runs the passthrough and the router alone through step 1,
 * then step 2: the hot path's numbers in about a minute.
 *
 * Prints step lines, then markdown tables (and writes them to --out).
 * nginx-light is installed with apt-get when missing (root only); without it
 * only the nginx column is skipped.
 *
 *   npm run bench -- [--only router] [--duration 10] [--rounds 5] [--connections 32] [--out FILE] [--skip-nginx]
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { describeBundle, measureBundle } from "./bundle-size.js";
import { runDrills } from "./drills.js";
import { labelCodeMicros } from "./label-cost.js";
import { runFor, type Target } from "./load.js";
import { describeMachine } from "./machine.js";
import { ensureNginx, type Nginx, type NginxBinary, startNginx } from "./nginx.js";
import { renderMarkdown } from "./report.js";
import { runRounds } from "./rounds.js";
import { Cleanups, freePort, startOrigins, startPassthroughFor, startRouter, step } from "./setup.js";
import { measureShadowCost, SHADOWED, shadowChecks, startShadowedRouter } from "./shadow.js";
import { checkTargets, EVERY_LABEL, labelTelemetryCost, routerVsPassthrough, UNLABELLED, type BenchResults } from "./targets.js";

const WARMUP_S = 2;
const USAGE =
  "npm run bench -- [--only router] [--duration 10] [--rounds 5] [--connections 32] [--sequential 1000] [--rate 50] [--healthy 10] [--fault-rate 0.3] [--flip-concurrency 16] [--out FILE] [--skip-nginx]";

const Flags = z.strictObject({
  only: z.enum(["router"]).optional(),
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

function parseFlags(): z.infer<typeof Flags> | null {
  try {
    const { values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        only: { type: "string" }, duration: { type: "string" }, rounds: { type: "string" }, connections: { type: "string" }, sequential: { type: "string" },
        rate: { type: "string" }, healthy: { type: "string" }, "fault-rate": { type: "string" }, "flip-concurrency": { type: "string" }, out: { type: "string" },
        "skip-nginx": { type: "boolean" },
      },
    });
    return Flags.parse(values);
  } catch (err) {
    process.stderr.write(`error: bad flags: ${err instanceof z.ZodError ? err.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; ") : (err as Error).message}\n`);
    process.stderr.write(`  fix: ${USAGE}\n`);
    return null;
  }
}

async function main(): Promise<number> {
  const flags = parseFlags();
  if (flags === null) return 2;
  const routerOnly = flags.only === "router";
  const cleanups = new Cleanups();
  try {
    const machine = describeMachine();
    step("·", "machine", `${machine.nproc} cores, ${machine.cpu}, Node ${machine.node}, load ${machine.load.join(" / ")}${machine.others.length ? `, ${machine.others.length} other test processes running` : ""}`);

    const nginxBin: NginxBinary = routerOnly ? { path: null, reason: "--only router" } : flags["skip-nginx"] ? { path: null, reason: "--skip-nginx" } : await ensureNginx((line) => step("·", "nginx", line));
    const nginxVersion = nginxBin.path ? await versionOf(nginxBin.path) : null;
    step(nginxBin.path !== null ? "✓" : "·", "nginx", nginxBin.path !== null ? `${nginxVersion} at ${nginxBin.path}${nginxBin.installed ? " (just installed)" : ""}` : `skipped: ${nginxBin.reason}`);

    const origins = await startOrigins(cleanups);
    const { blue, green, originToken } = origins;
    step("✓", "origins", `blue v1 ${blue.url}, green v2 ${green.url} (access log on, to /dev/null; FAULT_CONTROL=1)`);
    let nginx: Nginx | null = null;
    if (nginxBin.path) {
      nginx = await startNginx(nginxBin.path, await freePort(), blue.url);
      cleanups.add(() => nginx!.stop());
      step("✓", "nginx", `${nginx.url} → upstream blue (worker_processes auto, upstream keepalive, access_log off)`);
    }
    const { router, workerd: routerWorkerd } = await startRouter(origins, cleanups);
    step("✓", "router", `${router.url} in local workerd (Miniflare), blue active`);
    const { router: shadowed, workerd: shadowedWorkerd } = await startShadowedRouter(origins, cleanups);
    step("✓", "router", `${shadowed.url}: a second router, green shadowed at sample 1.0 (every prediction mirrored)`);
    const { router: unlabelled, workerd: unlabelledWorkerd } = await startRouter(origins, cleanups, { vars: { LABEL_TELEMETRY: "off" } });
    step("✓", "router", `${unlabelled.url}: the same with LABEL_TELEMETRY=off (the label telemetry's cost)`);
    const { router: everyLabel, workerd: everyLabelWorkerd } = await startRouter(origins, cleanups, { vars: { LABEL_MAX_PER_SECOND: "1000000" } });
    step("✓", "router", `${everyLabel.url}: the same reading every answer's labels (LABEL_MAX_PER_SECOND=1000000)`);
    const { passthrough, workerd: passthroughWorkerd } = await startPassthroughFor(origins, cleanups);
    step("✓", "workerd", `${passthrough.url}: a passthrough Worker (forward only), the local-workerd reference`);

    const originHeaders = { "x-origin-token": originToken };
    const targets: Target[] = [
      ...(routerOnly ? [] : [{ name: "direct", url: blue.url, headers: originHeaders }]),
      ...(nginx ? [{ name: "nginx", url: nginx.url, headers: originHeaders, proxyPids: [nginx.pid] }] : []),
      { name: "workerd passthrough", url: passthrough.url, headers: {}, proxyPids: passthroughWorkerd ? [passthroughWorkerd] : [] },
      { name: "router", url: router.url, headers: {}, proxyPids: routerWorkerd ? [routerWorkerd] : [] },
      { name: SHADOWED, url: shadowed.url, headers: {}, proxyPids: shadowedWorkerd ? [shadowedWorkerd] : [] },
      { name: UNLABELLED, url: unlabelled.url, headers: {}, proxyPids: unlabelledWorkerd ? [unlabelledWorkerd] : [] },
      { name: EVERY_LABEL, url: everyLabel.url, headers: {}, proxyPids: everyLabelWorkerd ? [everyLabelWorkerd] : [] },
    ];

    for (const t of targets) await runFor(t, WARMUP_S, flags.connections);
    step("✓", "warm-up", `${WARMUP_S} s each`);
    const measured = await runRounds(targets, {
      rounds: flags.rounds,
      roundS: flags.duration / flags.rounds,
      connections: flags.connections,
      originPid: blue.proc.pid!,
      onRound: (round, order, reqPerS) => step("·", `round ${round + 1}`, order.map((t) => `${t.name} ${Math.round(reqPerS[t.name]!)} req/s`).join(", ")),
    });
    for (const { name, stats, cpuMsPerRequest } of measured.targets) {
      step("✓", name, `${Math.round(stats.throughput)} req/s, p50 ${stats.p50Ms?.toFixed(1)} ms, p99 ${stats.p99Ms?.toFixed(1)} ms, ${stats.errors} errors, CPU per request: proxy ${cpuMsPerRequest.proxy?.toFixed(3) ?? "–"} ms, origin ${cpuMsPerRequest.origin?.toFixed(3) ?? "–"} ms`);
    }

    const shadowCost = await measureShadowCost(targets.find((t) => t.name === "router")!, targets.find((t) => t.name === SHADOWED)!, { rounds: 6, count: Math.max(100, Math.round(flags.sequential / 2)), adminToken: origins.adminToken });
    step("✓", "shadow", `one connection: p50 ${shadowCost.plain.p50Ms?.toFixed(2)} ms unshadowed, ${shadowCost.shadowed.p50Ms?.toFixed(2)} ms at sample 1.0; ${shadowCost.mirrored?.sent ?? "?"} mirrors sent, ${shadowCost.mirrored?.dropped ?? "?"} dropped`);

    let bundle: BenchResults["bundle"];
    try {
      bundle = await measureBundle();
      step("✓", "bundle", `${describeBundle(bundle)} (wrangler deploy --dry-run)`);
    } catch (err) {
      bundle = { error: (err as Error).message };
      step("!", "bundle", `not measured: ${bundle.error}`);
    }

    const results: BenchResults = {
      machine,
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
      settings: {
        durationS: flags.duration, rounds: flags.rounds, roundRatios: measured.perRound, cpuRounds: measured.cpuPerRound, connections: flags.connections,
        sequential: flags.sequential, rate: flags.rate, healthyS: flags.healthy, faultRate: flags["fault-rate"], flipConcurrency: flags["flip-concurrency"],
      },
      nginx: nginxBin.path !== null ? { ran: true, version: nginxVersion ?? "nginx" } : { ran: false, reason: nginxBin.reason },
      throughput: measured.targets,
      bundle,
      shadow: shadowCost,
      ...(routerOnly ? {} : await runDrills(origins, cleanups, targets, router, nginx, flags)),
    };
    const rp = routerVsPassthrough(results);
    step("✓", "hot path", `router ÷ passthrough: throughput ${rp.throughput?.toFixed(2) ?? "–"}×, CPU per request ${rp.cpu?.toFixed(2) ?? "–"}×; load now ${describeMachine().load.join(" / ")}`);
    results.labelCodeMicros = labelCodeMicros();
    step("✓", "labels", `label code per answer, in process: ${results.labelCodeMicros.toFixed(2)} µs (decode, parse, read, count)`);
    for (const target of ["router", EVERY_LABEL]) {
      const lt = labelTelemetryCost(results, target);
      step("✓", "labels", `${target}: label telemetry ${lt.cpuMsPerPrediction === null ? "–" : (lt.cpuMsPerPrediction * 1000).toFixed(0)} µs CPU per prediction, throughput with ÷ without ${lt.throughput?.toFixed(3) ?? "–"}×`);
    }
    const markdown = renderMarkdown(results);
    process.stdout.write(`\n${markdown}\n`);
    if (flags.out) {
      writeFileSync(flags.out, markdown + "\n");
      step("✓", "written", flags.out);
    }
    // Benchmarks, not tests: a missed target is reported in the table, the run itself succeeded.
    const missed = [...checkTargets(results), ...shadowChecks(results)].filter((c) => c.met === false);
    step(missed.length === 0 ? "✓" : "!", "targets", missed.length === 0 ? "all met" : `missed: ${missed.map((c) => c.target).join("; ")}`);
    return 0;
  } finally {
    await cleanups.run();
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
