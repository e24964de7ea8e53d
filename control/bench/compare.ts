/**
 * `npm run bench:compare`: the router as built from a git revision against
 * the router of the working tree, both beside the passthrough Worker, each
 * in its own local workerd, in interleaved rounds (the same machinery as
 * `npm run bench`) — before/after of a change measured under the same load,
 * which separate runs on this shared machine cannot give. The revision is
 * unpacked with `git archive` into a temporary directory and its
 * worker/src/index.ts bundled against this checkout's node_modules; both
 * routers get this checkout's wrangler.toml.
 *
 *   npm run bench:compare -- [--rev main] [--rounds 10] [--seconds 2] [--connections 32]
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs, promisify } from "node:util";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { z } from "zod";
import { REPO_ROOT, routerVars, WRANGLER_TOML } from "../src/stack/local-router.js";
import { childrenOf, newWorkerdChild } from "./cpu.js";
import { runFor, type Target } from "./load.js";
import { describeMachine } from "./machine.js";
import { runRounds } from "./rounds.js";
import { Cleanups, type Origins, startOrigins, startPassthroughFor, step } from "./setup.js";

const run = promisify(execFile);
const Flags = z.strictObject({
  rev: z.string().regex(/^[\w./^~-]+$/, "a git revision").default("main"),
  rounds: z.coerce.number().int().min(1).max(50).default(10),
  seconds: z.coerce.number().min(0.5).max(30).default(2),
  connections: z.coerce.number().int().min(1).max(512).default(32),
});

/** Bundles `<root>/worker/src/index.ts` as local-router.ts does, resolving packages from this checkout. */
async function bundle(root: string, outdir: string): Promise<string> {
  const esbuild = createRequire(createRequire(import.meta.url).resolve("wrangler"))("esbuild") as typeof import("esbuild");
  const outfile = path.join(outdir, "index.js");
  await esbuild.build({
    entryPoints: [path.join(root, "worker", "src", "index.ts")], outfile, bundle: true, format: "esm", target: "es2022", platform: "neutral",
    conditions: ["workerd", "worker", "browser"], mainFields: ["browser", "module", "main"], external: ["cloudflare:*", "node:*"],
    nodePaths: [path.join(REPO_ROOT, "node_modules")], logLevel: "silent",
  });
  return outfile;
}

/** Starts a router bundle in its own workerd, configured as `npm start` configures it. */
async function startBundle(name: string, file: string, o: Origins, cleanups: Cleanups): Promise<Target> {
  // Without [assets]: in front of the Worker they add a router hop per request, and the dashboard is not measured.
  const { assets: _assets, ...workerOptions } = unstable_getMiniflareWorkerOptions(WRANGLER_TOML).workerOptions;
  const before = childrenOf(process.pid);
  const mf = new Miniflare({
    ...workerOptions, name: "bluegreen-router", modules: true, modulesRoot: path.dirname(file), scriptPath: file,
    bindings: { ...routerVars({ blueOrigins: [o.blue.url], greenOrigins: [o.green.url] }), ADMIN_TOKEN: o.adminToken, ORIGIN_TOKEN: o.originToken },
    host: "127.0.0.1", port: 0, unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  } as ConstructorParameters<typeof Miniflare>[0]);
  await mf.ready;
  cleanups.add(() => mf.dispose());
  const pid = newWorkerdChild(before);
  return { name, url: (await mf.unsafeGetDirectURL()).origin, headers: {}, proxyPids: pid ? [pid] : [] };
}

async function main(): Promise<number> {
  let flags: z.infer<typeof Flags>;
  try {
    const { values } = parseArgs({ args: process.argv.slice(2), options: { rev: { type: "string" }, rounds: { type: "string" }, seconds: { type: "string" }, connections: { type: "string" } } });
    flags = Flags.parse(values);
  } catch (err) {
    process.stderr.write(`error: bad flags: ${(err as Error).message}\n  fix: npm run bench:compare -- [--rev main] [--rounds 10] [--seconds 2] [--connections 32]\n`);
    return 2;
  }
  process.env.WRANGLER_LOG = "warn";
  const cleanups = new Cleanups();
  const work = await mkdtemp(path.join(tmpdir(), "bluegreen-compare-"));
  cleanups.add(() => rm(work, { recursive: true, force: true }));
  try {
    const machine = describeMachine();
    step("·", "machine", `${machine.nproc} cores, load ${machine.load.join(" / ")}${machine.others.length ? `, ${machine.others.length} other test processes running` : ""}`);
    const revRoot = path.join(work, "rev");
    await run("sh", ["-c", `mkdir -p "${revRoot}" && git -C "${REPO_ROOT}" archive "${flags.rev}" | tar -x -C "${revRoot}"`]);
    const { stdout: sha } = await run("git", ["-C", REPO_ROOT, "rev-parse", "--short", flags.rev]);
    const files = { rev: await bundle(revRoot, path.join(work, "rev-bundle")), tree: await bundle(REPO_ROOT, path.join(work, "tree-bundle")) };
    const o = await startOrigins(cleanups);
    const { passthrough, workerd } = await startPassthroughFor(o, cleanups);
    const targets: Target[] = [
      { name: "workerd passthrough", url: passthrough.url, headers: {}, proxyPids: workerd ? [workerd] : [] },
      await startBundle(`router @ ${flags.rev} (${sha.trim()})`, files.rev, o, cleanups),
      await startBundle("router @ working tree", files.tree, o, cleanups),
    ];
    step("✓", "started", targets.map((t) => `${t.name} ${t.url}`).join(", "));
    for (const t of targets) await runFor(t, 2, flags.connections);
    const result = await runRounds(targets, { rounds: flags.rounds, roundS: flags.seconds, connections: flags.connections, originPid: o.blue.proc.pid! });
    const base = result.targets[0]!;
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    process.stdout.write(`\n| target | req/s | ÷ passthrough | CPU / request | ÷ passthrough (pooled · median of rounds) |\n|---|---:|---:|---:|---:|\n`);
    for (const t of result.targets) {
      const perRound = result.cpuPerRound.map((r) => (r[t.name] ?? NaN) / (r[base.name] ?? NaN)).filter(Number.isFinite);
      const cpu = t.cpuMsPerRequest.proxy;
      const cpuRatio = cpu !== null && base.cpuMsPerRequest.proxy ? cpu / base.cpuMsPerRequest.proxy : NaN;
      process.stdout.write(
        `| ${t.name} | ${Math.round(t.stats.throughput)} | ${(t.stats.throughput / base.stats.throughput).toFixed(2)}× | ${cpu?.toFixed(3) ?? "–"} ms | ${cpuRatio.toFixed(2)}× · ${median(perRound).toFixed(2)}× |\n`,
      );
    }
    step("·", "load", `at the end ${describeMachine().load.join(" / ")}`);
    return 0;
  } finally {
    await cleanups.run();
  }
}

const code = await main().catch((err: unknown) => {
  process.stderr.write(`error: the comparison failed: ${(err as Error)?.stack ?? String(err)}\n`);
  return 1;
});
process.exit(code);
