/**
 * `npm run bench:model`: starts one real model-server process per version
 * (v1, v2) on 127.0.0.1, loads POST /predict with autocannon for a bounded
 * time, and prints req/s, p50, p99 and errors per version with the machine's
 * description. Loopback only; every process it starts is stopped.
 *
 *   npm run bench:model -- [--duration 5] [--connections 32] [--versions v1,v2]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { z } from "zod";
import { TEXTS } from "./texts.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const READY_TIMEOUT_MS = 20_000;

const Flags = z.strictObject({
  duration: z.coerce.number().int().min(1).max(120).default(5),
  connections: z.coerce.number().int().min(1).max(1024).default(32),
  versions: z
    .string()
    .regex(/^[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*$/)
    .default("v1,v2")
    .transform((s) => s.split(",")),
});

interface Row {
  version: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

/** Starts a server for `version` (logs to /dev/null so log piping does not weigh on the bench) and waits for /ready. */
async function startServer(version: string): Promise<{ proc: ChildProcess; url: string }> {
  const port = await freePort();
  const loader = pathToFileURL(join(REPO_ROOT, "node_modules/tsx/dist/loader.mjs")).href;
  const proc = spawn(process.execPath, ["--import", loader, join(REPO_ROOT, "model-server/main.ts")], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: String(port), MODEL_VERSION: version },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && proc.exitCode === null) {
    const ok = await fetch(`${url}/ready`).then((r) => r.status === 200, () => false);
    if (ok) return { proc, url };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill("SIGKILL");
  throw new Error(`model server ${version} did not get ready (exit code ${proc.exitCode})`);
}

async function stopServer(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = once(proc, "exit");
  proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

async function benchVersion(version: string, duration: number, connections: number): Promise<Row> {
  const { proc, url } = await startServer(version);
  try {
    const result = await autocannon({
      url,
      connections,
      duration,
      requests: TEXTS.map((text) => ({
        method: "POST" as const,
        path: "/predict",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text }),
      })),
    });
    return {
      version,
      reqPerSec: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.non2xx,
      requests: result.requests.total,
    };
  } finally {
    await stopServer(proc);
  }
}

function table(rows: Row[]): string {
  const lines = [
    "| version | req/s | p50 (ms) | p99 (ms) | errors | requests |",
    "|---|---:|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r.version} | ${Math.round(r.reqPerSec)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.requests} |`),
  ];
  return lines.join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { duration: { type: "string" }, connections: { type: "string" }, versions: { type: "string" } },
    strict: true,
  });
  const parsed = Flags.safeParse(values);
  if (!parsed.success) {
    console.error(`bench:model: bad flags — ${parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; ")}`);
    process.exit(2);
  }
  const { duration, connections, versions } = parsed.data;
  const cpu = cpus();
  console.log(`date: ${new Date().toISOString()}`);
  console.log(`machine: ${cpu.length} cores, ${cpu[0]?.model.trim() ?? "unknown CPU"}; node ${process.version}; ${process.platform}/${process.arch}`);
  console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(" ")} (other work on the machine skews results)`);
  console.log(`load: POST /predict, ${connections} connections, ${duration} s per version, loopback, autocannon in this process`);
  const rows: Row[] = [];
  for (const version of versions) {
    process.stdout.write(`benchmarking ${version}…\n`);
    rows.push(await benchVersion(version, duration, connections));
  }
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  console.log("");
  console.log(table(rows));
  if (rows.some((r) => r.errors > 0)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(`bench:model failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
