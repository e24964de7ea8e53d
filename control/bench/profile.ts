/**
 * `npm run bench:profile`: where the router's (or the passthrough Worker's)
 * CPU goes per POST /predict. Starts blue and green, the Worker in local
 * workerd with its V8 inspector open, warms it up, then takes a CPU profile
 * (Profiler.start/stop over the DevTools protocol) while autocannon drives
 * --connections for --seconds, and prints the top self-time functions and
 * modules, in µs per request. --save writes the .cpuprofile for DevTools'
 * Performance panel. The sampling profiler itself costs CPU: compare rows
 * with each other, and take CPU per request from `npm run bench`.
 *
 *   npm run bench:profile -- [--target router|passthrough] [--seconds 10] [--connections 32] [--top 25] [--interval 100] [--save FILE]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { bundleWorker } from "../src/stack/local-router.js";
import { bundleModules, summarizeProfile, type SelfTime } from "./cpu-profile.js";
import { cpuSeconds } from "./cpu.js";
import { connectInspector, findTarget, type CpuProfile } from "./inspector.js";
import { runFor, runRaw, type Target } from "./load.js";
import { describeMachine } from "./machine.js";
import { Cleanups, startOrigins, startPassthroughFor, startRouter, step } from "./setup.js";

const WARMUP_S = 3;

const Flags = z.strictObject({
  target: z.enum(["router", "passthrough"]).default("router"),
  seconds: z.coerce.number().int().min(1).max(120).default(10),
  connections: z.coerce.number().int().min(1).max(512).default(32),
  top: z.coerce.number().int().min(1).max(200).default(25),
  /** Sampling interval in µs. */
  interval: z.coerce.number().int().min(10).max(10_000).default(100),
  save: z.string().min(1).optional(),
});

function table(rows: SelfTime[], top: number, requests: number): string {
  const lines = ["| self time | µs / request | share | function |", "|---:|---:|---:|---|"];
  for (const r of rows.slice(0, top)) {
    lines.push(`| ${r.selfMs.toFixed(0)} ms | ${((r.selfMs * 1000) / requests).toFixed(1)} | ${(r.share * 100).toFixed(1)}% | ${r.name} |`);
  }
  return lines.join("\n");
}

async function main(): Promise<number> {
  let flags: z.infer<typeof Flags>;
  try {
    const { values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        target: { type: "string" }, seconds: { type: "string" }, connections: { type: "string" }, top: { type: "string" },
        interval: { type: "string" }, save: { type: "string" },
      },
    });
    flags = Flags.parse(values);
  } catch (err) {
    process.stderr.write(`error: bad flags: ${(err as Error).message}\n`);
    process.stderr.write("  fix: npm run bench:profile -- [--target router|passthrough] [--seconds 10] [--connections 32] [--top 25] [--interval 100] [--save FILE]\n");
    return 2;
  }
  const cleanups = new Cleanups();
  try {
    const machine = describeMachine();
    step("·", "machine", `${machine.nproc} cores, load ${machine.load.join(" / ")}${machine.others.length ? `, ${machine.others.length} other test processes running` : ""}`);
    const origins = await startOrigins(cleanups);
    let worker: { url: string; workerd: number | null; name: string; inspector: URL; bundle?: { urlSuffix: string; modules: Array<{ line: number; module: string }> } };
    if (flags.target === "router") {
      const { router, workerd } = await startRouter(origins, cleanups, { inspectorPort: 0 });
      const bundle = await bundleWorker();
      worker = {
        url: router.url, workerd, name: "bluegreen-router", inspector: await router.mf.getInspectorURL(),
        bundle: { urlSuffix: "index.js", modules: bundleModules(readFileSync(bundle.file, "utf8")) },
      };
    } else {
      const { passthrough, workerd } = await startPassthroughFor(origins, cleanups, { inspectorPort: 0 });
      worker = { url: passthrough.url, workerd, name: "passthrough", inspector: await passthrough.mf.getInspectorURL() };
    }
    step("✓", flags.target, `${worker.url} in local workerd, inspector ${worker.inspector.host}`);
    const target: Target = { name: flags.target, url: worker.url, headers: {} };
    await runFor(target, WARMUP_S, flags.connections);
    step("✓", "warm-up", `${WARMUP_S} s`);

    const session = await connectInspector(await findTarget(worker.inspector, worker.name));
    cleanups.add(async () => session.close());
    await session.send("Profiler.enable");
    await session.send("Profiler.setSamplingInterval", { interval: flags.interval });
    const cpu0 = worker.workerd !== null ? cpuSeconds([worker.workerd]) : null;
    await session.send("Profiler.start");
    const run = await runRaw(target, flags.seconds, flags.connections);
    const { profile } = await session.send<{ profile: CpuProfile }>("Profiler.stop");
    const cpu1 = worker.workerd !== null ? cpuSeconds([worker.workerd]) : null;
    const requests = run.latenciesMs.length;
    const non2xx = Object.entries(run.statusCounts).filter(([s]) => !s.startsWith("2")).reduce((a, [, n]) => a + n, 0);
    const cpuMs = cpu0 !== null && cpu1 !== null ? ((cpu1 - cpu0) * 1000) / requests : null;
    step("✓", "load", `${requests} requests in ${(run.durationMs / 1000).toFixed(1)} s (${Math.round(requests / (run.durationMs / 1000))} req/s, ${non2xx} not 2xx, ${run.networkErrors} network errors); workerd CPU ${cpuMs?.toFixed(3) ?? "–"} ms / request with the profiler on`);
    if (flags.save) {
      writeFileSync(flags.save, JSON.stringify(profile));
      step("✓", "saved", `${flags.save} (open in Chrome DevTools → Performance)`);
    }
    const summary = summarizeProfile(profile, worker.bundle);
    process.stdout.write(`\nProfiled ${(summary.wallMs / 1000).toFixed(1)} s; the isolate's thread was busy ${summary.busyMs.toFixed(0)} ms (${((summary.busyMs * 1000) / requests).toFixed(1)} µs / request).\n\n`);
    process.stdout.write(`Top ${flags.top} functions by self time:\n\n${table(summary.byFunction, flags.top, requests)}\n\n`);
    process.stdout.write(`By module:\n\n${table(summary.byModule, flags.top, requests)}\n`);
    return 0;
  } finally {
    await cleanups.run();
  }
}

const code = await main().catch((err: unknown) => {
  process.stderr.write(`error: the profile failed: ${(err as Error)?.stack ?? String(err)}\n`);
  return 1;
});
process.exit(code);
