/**
 * Starts real model-server processes (`node --import tsx model-server/main.ts`)
 * on loopback for tests and vitest globalSetups: PORT=0 by default, waits for
 * the `listening` log line and for `/ready`, and always cleans up (every
 * process still running when the test process exits is killed).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createInterface } from "node:readline";

/** Repository root (this file lives in test/helpers/). */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The server's program (model-server/main.ts), run from source with tsx. */
export const MODEL_SERVER_ENTRY = join(REPO_ROOT, "model-server/main.ts");
/** tsx's loader by absolute URL, so the server can run from any cwd. */
const TSX_LOADER = pathToFileURL(join(REPO_ROOT, "node_modules/tsx/dist/loader.mjs")).href;

const DEFAULT_START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;
const MAX_KEPT_LINES = 500;
/** Env the parent may carry that must not leak into a test server. */
const SCRUBBED_ENV = [
  "PORT", "HOST", "MODEL_NAME", "MODEL_VERSION", "MODEL_DIR", "MAX_TEXT_CHARS", "ORIGIN_TOKEN",
  "FAULT_RATE", "FAULT_LATENCY_MS", "FAULT_CONTROL", "ERROR_WINDOW_SECONDS", "SHUTDOWN_GRACE_MS", "LOG_LEVEL",
];

export interface StartModelServerOptions {
  /** MODEL_VERSION, default "v1". */
  version?: string;
  /** Extra env (wins over the defaults), e.g. `{ FAULT_CONTROL: "1", ORIGIN_TOKEN: "t" }`. */
  env?: Record<string, string>;
  /** PORT, default 0 (ephemeral). */
  port?: number;
  /** How long to wait for `listening` + `/ready`, default 20 s. */
  timeoutMs?: number;
  /** Working directory of the server process, default the repository root. */
  cwd?: string;
}

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ModelServerHandle {
  /** e.g. "http://127.0.0.1:41234" */
  url: string;
  port: number;
  proc: ChildProcess;
  /** Output lines seen so far (stdout and stderr, most recent last, bounded). */
  lines(): string[];
  /** Log lines parsed as JSON (lines that are not JSON are skipped). */
  events(): Array<Record<string, unknown>>;
  /** Sends `signal` (default SIGTERM) and resolves with the exit; SIGKILLs after 15 s. */
  stop(signal?: NodeJS.Signals): Promise<ExitResult>;
  /** Resolves when the process has exited. */
  waitExit(): Promise<ExitResult>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const proc of running) proc.kill("SIGKILL");
  });
}

/** Builds the child env: the parent's env minus model-server settings, then the defaults, then `env`. */
function childEnv(opts: StartModelServerOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of SCRUBBED_ENV) delete env[key];
  return {
    ...env,
    HOST: "127.0.0.1",
    PORT: String(opts.port ?? 0),
    MODEL_VERSION: opts.version ?? "v1",
    ...opts.env,
  };
}

interface Spawned {
  proc: ChildProcess;
  lines: string[];
  exited: Promise<ExitResult>;
  listening: Promise<{ url: string; port: number }>;
}

/** Spawns `node --import tsx <entry>` (or `command` verbatim) in `cwd` and collects its output. */
export function spawnServerProcess(
  env: NodeJS.ProcessEnv,
  command: readonly string[] = [process.execPath, "--import", TSX_LOADER, MODEL_SERVER_ENTRY],
  cwd: string = REPO_ROOT,
): Spawned {
  installExitHook();
  const [file, ...args] = command;
  if (!file) throw new Error("empty command");
  const proc = spawn(file, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  running.add(proc);
  const lines: string[] = [];
  const exited = new Promise<ExitResult>((resolve) => {
    proc.once("exit", (code, signal) => {
      running.delete(proc);
      resolve({ code, signal });
    });
  });
  let onListening: (v: { url: string; port: number }) => void = () => {};
  const listening = new Promise<{ url: string; port: number }>((resolve) => (onListening = resolve));
  // Always keep reading both pipes so a chatty server never blocks on a full pipe.
  for (const stream of [proc.stdout, proc.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on("line", (line) => {
      lines.push(line);
      if (lines.length > MAX_KEPT_LINES) lines.shift();
      const event = parseJsonLine(line);
      if (event?.event === "listening" && typeof event.port === "number" && typeof event.url === "string") {
        onListening({ url: event.url, port: event.port });
      }
    });
  }
  return { proc, lines, exited, listening };
}

/** Parses one log line, or undefined when it is not a JSON object. */
export function parseJsonLine(line: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function handleFor(spawned: Spawned, url: string, port: number): ModelServerHandle {
  const { proc, lines, exited } = spawned;
  return {
    url,
    port,
    proc,
    lines: () => [...lines],
    events: () => lines.map(parseJsonLine).filter((e): e is Record<string, unknown> => e !== undefined),
    waitExit: () => exited,
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const timer = setTimeout(() => proc.kill("SIGKILL"), STOP_TIMEOUT_MS);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

async function waitReady(url: string, exited: Promise<ExitResult>, deadline: number): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  while (!gone && Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      if (res.status === 200) return;
    } catch {
      // not accepting yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(gone ? "model server exited before it was ready" : "model server not ready in time");
}

/**
 * Spawns a model server on 127.0.0.1 (PORT=0 unless `port` is given), waits
 * until it listens and answers 200 on /ready, and returns a handle. Rejects
 * (after killing the process) with the server's output when it does not get
 * ready in time or exits first.
 */
export async function startModelServer(opts: StartModelServerOptions = {}): Promise<ModelServerHandle> {
  return startWithCommand(childEnv(opts), undefined, opts.timeoutMs, opts.cwd);
}

/** Like startModelServer, but runs an exact command line (e.g. the Dockerfile's CMD) with a full env. */
export async function startWithCommand(
  env: NodeJS.ProcessEnv,
  command?: readonly string[],
  timeoutMs: number = DEFAULT_START_TIMEOUT_MS,
  cwd?: string,
): Promise<ModelServerHandle> {
  const spawned = spawnServerProcess(env, command, cwd);
  const deadline = Date.now() + timeoutMs;
  try {
    const where = await Promise.race([
      spawned.listening,
      spawned.exited.then((e) => {
        throw new Error(`model server exited (code ${e.code}, signal ${e.signal}) before listening`);
      }),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error("model server did not listen in time")), timeoutMs).unref(),
      ),
    ]);
    await waitReady(where.url, spawned.exited, deadline);
    return handleFor(spawned, where.url, where.port);
  } catch (err) {
    spawned.proc.kill("SIGKILL");
    await spawned.exited;
    const output = spawned.lines.slice(-40).join("\n");
    throw new Error(`${(err as Error).message}\n--- server output ---\n${output}`, { cause: err });
  }
}

/**
 * Runs a model server that is expected NOT to start (bad config, bad model)
 * and resolves with its exit and output; kills it and rejects if it is still
 * running after `timeoutMs`.
 */
export async function runUntilExit(
  opts: StartModelServerOptions = {},
): Promise<ExitResult & { lines: string[] }> {
  const spawned = spawnServerProcess(childEnv(opts), undefined, opts.cwd);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const timer = setTimeout(() => spawned.proc.kill("SIGKILL"), timeoutMs);
  try {
    const exit = await spawned.exited;
    // Let readline deliver the last lines.
    await Promise.all(
      [spawned.proc.stdout, spawned.proc.stderr].map((s) => (s && !s.readableEnded ? once(s, "end") : undefined)),
    );
    return { ...exit, lines: [...spawned.lines] };
  } finally {
    clearTimeout(timer);
  }
}
