/**
 * Starts the FastAPI fixture (test/fixtures/fastapi-server/app.py: a model
 * server in the seed's shape, no optional part of the origin contract) with
 * Debian's python3-fastapi and python3-uvicorn: `/usr/bin/python3 -m uvicorn`
 * on 127.0.0.1 and a free port, waits until `/health` answers 200, and stops
 * it. uvicorn 0.17 cannot report the port it got for `--port 0`, so the port
 * is picked free beforehand and a start that loses it to another process is
 * retried on another one. Every process still running when the test process
 * exits is killed.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { REPO_ROOT } from "./model-server.js";
import { freePort } from "./stack.js";

/** Debian's interpreter: another python3 may be first on PATH, without FastAPI. */
export const PYTHON = "/usr/bin/python3";
export const FASTAPI_APP_DIR = join(REPO_ROOT, "test/fixtures/fastapi-server");

const START_ATTEMPTS = 3;
const DEFAULT_START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;
const MAX_KEPT_LINES = 300;
/** Fixture settings the parent may carry that must not leak into a test server. */
const SCRUBBED_ENV = ["MODEL_VERSION", "LOAD_SECONDS", "FAULT_RATE", "FAULT_CONTROL", "PYTHONPATH", "PYTHONHOME"];

export interface StartFastApiOptions {
  /** MODEL_VERSION it reports, default "v1". */
  version?: string;
  /** Extra env, e.g. `{ FAULT_RATE: "0.3" }` or `{ FAULT_CONTROL: "1" }`. */
  env?: Record<string, string>;
  /** `healthy` (default): resolve once /health answers 200; `answering`: once it answers at all (to see it loading). */
  until?: "healthy" | "answering";
  timeoutMs?: number;
}

export interface FastApiServerHandle {
  /** e.g. "http://127.0.0.1:23456" (no trailing slash). */
  url: string;
  port: number;
  proc: ChildProcess;
  /** uvicorn's output so far (bounded). */
  lines(): string[];
  /** Changes the share of predictions answered 500 (needs FAULT_CONTROL=1). */
  setFaultRate(rate: number): Promise<void>;
  /** SIGTERM, SIGKILL after 10 s; resolves when it has exited. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let checked = false;

/** Throws a clear error when Debian's FastAPI or uvicorn is missing (CI installs them: .ci/run). */
export function assertFastApiInstalled(): void {
  if (checked) return;
  const r = spawnSync(PYTHON, ["-c", "import fastapi, uvicorn"], { encoding: "utf8", timeout: 20_000 });
  if (r.status !== 0) {
    throw new Error(`${PYTHON} cannot import fastapi and uvicorn (${(r.stderr || String(r.error)).trim().split("\n").at(-1)}): apt-get install -y python3-fastapi python3-uvicorn`);
  }
  checked = true;
  process.once("exit", () => {
    for (const proc of running) proc.kill("SIGKILL");
  });
}

/** Starts the fixture on 127.0.0.1:<free port> and waits until it answers (healthy by default). */
export async function startFastApiServer(opts: StartFastApiOptions = {}): Promise<FastApiServerHandle> {
  assertFastApiInstalled();
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const port = await freePort();
    try {
      return await startOn(port, opts);
    } catch (err) {
      lastError = err as Error;
      if (!/address already in use/i.test(lastError.message)) throw lastError;
    }
  }
  throw lastError!;
}

async function startOn(port: number, opts: StartFastApiOptions): Promise<FastApiServerHandle> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of SCRUBBED_ENV) delete env[key];
  Object.assign(env, { MODEL_VERSION: opts.version ?? "v1", PYTHONDONTWRITEBYTECODE: "1", PYTHONUNBUFFERED: "1" }, opts.env);
  const args = ["-m", "uvicorn", "app:app", "--app-dir", FASTAPI_APP_DIR, "--host", "127.0.0.1", "--port", String(port), "--no-access-log"];
  const proc = spawn(PYTHON, args, { cwd: FASTAPI_APP_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
  running.add(proc);
  const lines: string[] = [];
  for (const stream of [proc.stdout!, proc.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => {
      lines.push(line);
      if (lines.length > MAX_KEPT_LINES) lines.shift();
    });
  }
  const exited = new Promise<void>((resolve) =>
    proc.once("exit", () => {
      running.delete(proc);
      resolve();
    }),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!gone) proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  const until = opts.until ?? "healthy";
  while (!gone && Date.now() < deadline) {
    const status = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) })
      .then(async (res) => (await res.arrayBuffer(), res.status))
      .catch(() => null);
    if (status !== null && (until === "answering" || status === 200)) {
      return {
        url,
        port,
        proc,
        lines: () => [...lines],
        stop,
        async setFaultRate(rate: number) {
          const res = await fetch(`${url}/fault`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ rate }), signal: AbortSignal.timeout(5_000) });
          if (res.status !== 200) throw new Error(`PUT /fault answered ${res.status}: ${await res.text()} (start the fixture with FAULT_CONTROL=1)`);
        },
      };
    }
    await sleep(50);
  }
  const why = gone ? "exited" : `not ${until} within ${opts.timeoutMs ?? DEFAULT_START_TIMEOUT_MS} ms`;
  await stop();
  // Let readline deliver the last lines.
  await sleep(20);
  throw new Error(`FastAPI fixture on port ${port} ${why}\n--- output ---\n${lines.slice(-30).join("\n")}`);
}
