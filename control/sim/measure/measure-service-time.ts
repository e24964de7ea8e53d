/**
 * `npm run sim:measure`: measures, in local workerd, how long the real
 * DeploymentController and the relay fixture (measure-worker.ts) are busy
 * per call — the service times the scale simulation's single-threaded
 * servers use — and writes them with the date and machine to
 * control/sim/service-times.json (committed; `npm run sim:scale` reads it).
 *
 * Each figure is the elapsed time of n calls with 32 in flight divided by n,
 * median of 5 rounds after a warm-up: the object's throughput, so it also
 * holds the calling Worker's share of the work (caller and object share
 * workerd's thread here) and is an upper bound of the object's own time.
 * The controller's storage write (its metric windows, at most once a second
 * per report: traffic-memory.ts) is measured apart: 500 writes of a full
 * windows JSON in a SQLite-backed object, less an empty call, per write.
 *
 *   npm run sim:measure [-- --rounds 5 --n 2000 --no-write]
 */
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { describeMachine } from "../../bench/machine.js";
import { bundleWorker, removeBundles, WORKER_ENTRY, WRANGLER_TOML } from "../../src/stack/local-router.js";
import { SERVICE_TIMES_FILE, type ServiceTimes } from "../service-times.js";

const ENTRY = fileURLToPath(new URL("./measure-worker.ts", import.meta.url));
const CONCURRENCY = 32;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: "string" }, n: { type: "string" }, "no-write": { type: "boolean" } } });
  const rounds = Number(values.rounds ?? "5");
  const n = Number(values.n ?? "2000");
  const bundle = await bundleWorker(ENTRY, { "bluegreen-router-entry": path.resolve(WORKER_ENTRY) });
  const { workerOptions } = unstable_getMiniflareWorkerOptions(WRANGLER_TOML);
  // Origins on a closed loopback port: the controller's first probe fails at once and nothing else is contacted.
  const origin = `http://127.0.0.1:${await closedPort()}`;
  const options = workerOptions as Record<string, unknown>;
  const mf = new Miniflare({
    ...options,
    name: "bluegreen-measure",
    modules: true,
    modulesRoot: bundle.dir,
    scriptPath: bundle.file,
    durableObjects: { ...(options.durableObjects as object), RELAYS: "MeasureRelay", STORAGE: { className: "MeasureStorage", useSQLite: true } },
    bindings: {
      ...(options.bindings as Record<string, string>),
      BLUE_ORIGINS: origin,
      GREEN_ORIGINS: origin,
      HEALTH_INTERVAL_SECONDS: "3600",
      ADMIN_TOKEN: "measure-admin-token",
    },
    handleRuntimeStdio() {},
  } as ConstructorParameters<typeof Miniflare>[0]);
  try {
    await mf.ready;
    const call = async (query: string): Promise<number> => {
      const started = performance.now();
      const res = await mf.dispatchFetch(`http://measure.local/__measure/${query}`);
      if (!res.ok) throw new Error(`${query}: HTTP ${res.status} ${await res.text()}`);
      await res.json();
      return performance.now() - started;
    };
    const perCall = async (what: string, extra = ""): Promise<number> => {
      const times: number[] = [];
      for (let r = 0; r < rounds; r++) times.push((await call(`${what}?n=${n}&concurrency=${CONCURRENCY}${extra}`)) / n);
      const ms = median(times);
      process.stdout.write(`· ${what}${extra.replaceAll("&", " ")}: ${ms.toFixed(4)} ms per call (rounds: ${times.map((t) => t.toFixed(4)).join(", ")})\n`);
      return ms;
    };
    process.stdout.write(`· warm-up (${n} reports, ${n} relay syncs)\n`);
    await call(`report?n=${n}&concurrency=${CONCURRENCY}`);
    await call(`relay?n=${n}&concurrency=${CONCURRENCY}`);
    const reportMs = await perCall("report", "&buckets=2");
    const forwardMs = await perCall("report", "&buckets=8");
    const stateMs = await perCall("state");
    const relaySyncMs = await perCall("relay", "&buckets=2");
    const fanoutK = 300;
    const fanout = async (n: number) => {
      const res = await mf.dispatchFetch(`http://measure.local/__measure/fanout?n=${n}&k=${fanoutK}`);
      return ((await res.json()) as { ms: number }).ms / n / fanoutK;
    };
    await fanout(1); // creates the 300 target relays
    const pushRounds: number[] = [];
    for (let r = 0; r < rounds; r++) pushRounds.push(await fanout(1));
    const pushPerTargetMs = median(pushRounds);
    process.stdout.write(`· push fan-out: ${pushPerTargetMs.toFixed(4)} ms per target (${fanoutK} targets, rounds: ${pushRounds.map((t) => t.toFixed(4)).join(", ")})\n`);
    // The windows write: n writes in one call, timed from here, less an empty call's time (median of the rounds).
    const saveRounds: number[] = [];
    const saveN = 500;
    for (let r = 0; r < rounds; r++) saveRounds.push(((await call(`save?n=${saveN}`)) - (await call("save?n=0"))) / saveN);
    const saveMs = Math.max(0, median(saveRounds));
    process.stdout.write(`· windows write: ${saveMs.toFixed(4)} ms (rounds: ${saveRounds.map((t) => t.toFixed(4)).join(", ")})\n`);
    const machine = describeMachine();
    const result: ServiceTimes = {
      measuredAt: machine.date,
      machine: { cpu: machine.cpu, nproc: machine.nproc, os: machine.os, node: machine.node, load: machine.load },
      method: `n=${n} calls, ${CONCURRENCY} in flight, median of ${rounds} rounds, local workerd via Miniflare`,
      controllerReportMs: reportMs,
      controllerForwardMs: forwardMs,
      controllerStateMs: stateMs,
      controllerSaveMs: saveMs,
      relaySyncMs,
      pushPerTargetMs,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (!values["no-write"]) {
      writeFileSync(SERVICE_TIMES_FILE, `${JSON.stringify(result, null, 2)}\n`);
      process.stdout.write(`✓ wrote ${path.relative(process.cwd(), SERVICE_TIMES_FILE)}\n`);
    }
  } finally {
    await mf.dispose();
    await removeBundles();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`measure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
