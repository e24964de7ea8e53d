/**
 * One colour's model server as a child process of the stack:
 * `node --import tsx model-server/main.ts` (the model server's program) with
 * its env (docs/architecture.md "Env vars"),
 * its output handed over line by line, ready once it has logged `listening`
 * and answers 200 on /ready; stopped with SIGTERM (it drains), SIGKILL after
 * a grace period.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "./local-router.js";

const TSX_LOADER = pathToFileURL(path.join(REPO_ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;
const ENTRY = path.join(REPO_ROOT, "model-server", "main.ts");
const READY_POLL_MS = 100;
/** Longer than the server's SHUTDOWN_GRACE_MS (10 s) so a drain can finish. */
export const STOP_GRACE_MS = 15_000;
/** Settings of ours the child must not inherit from the stack's environment. */
const SCRUBBED_ENV = [
  "PORT", "HOST", "MODEL_NAME", "MODEL_VERSION", "MODEL_DIR", "ORIGIN_TOKEN", "ADMIN_TOKEN",
  "FAULT_RATE", "FAULT_LATENCY_MS", "FAULT_CONTROL", "FAULT_SILENT_RATE", "FAULT_SILENT_MODE", "FAULT_SILENT_CONFIDENCE",
];

export interface ModelServerSpec {
  /** "blue" or "green", for messages. */
  part: string;
  port: number;
  version: string;
  originToken: string;
  faultControl: boolean;
  faultRate: number;
  faultLatencyMs: number;
  /** Each output line (stdout and stderr); without it the access log goes nowhere and errors to our stderr (the bench). */
  onLine?: (line: string) => void;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ModelServerProcess {
  part: string;
  url: string;
  proc: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<ExitInfo>;
  /** Sends SIGTERM (it drains) and resolves on exit; SIGKILL after STOP_GRACE_MS. */
  stop(): Promise<ExitInfo>;
}

/** Spawns the server (not waiting for it); see waitReady. */
export function spawnModelServer(spec: ModelServerSpec): ModelServerProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of SCRUBBED_ENV) delete env[key];
  Object.assign(env, {
    HOST: "127.0.0.1",
    PORT: String(spec.port),
    MODEL_NAME: "sentiment",
    MODEL_VERSION: spec.version,
    ORIGIN_TOKEN: spec.originToken,
    FAULT_CONTROL: spec.faultControl ? "1" : "0",
    FAULT_RATE: String(spec.faultRate),
    FAULT_LATENCY_MS: String(spec.faultLatencyMs),
  });
  // Its own process group: a terminal's Ctrl-C reaches only the stack, which stops the router first, then this.
  const stdio = spec.onLine ? (["ignore", "pipe", "pipe"] as const) : (["ignore", "ignore", "inherit"] as const);
  const proc = spawn(process.execPath, ["--import", TSX_LOADER, ENTRY], { cwd: REPO_ROOT, env, stdio: [...stdio], detached: true });
  const exited = new Promise<ExitInfo>((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal })));
  const onLine = spec.onLine;
  if (onLine) for (const stream of [proc.stdout, proc.stderr]) if (stream) createInterface({ input: stream }).on("line", onLine);
  return {
    part: spec.part,
    url: `http://127.0.0.1:${spec.port}`,
    proc,
    exited,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), STOP_GRACE_MS);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Resolves once /ready answers 200; rejects when the process exits first or after `timeoutMs`. */
export async function waitReady(server: ModelServerProcess, timeoutMs: number): Promise<void> {
  let exit: ExitInfo | null = null;
  void server.exited.then((e) => (exit = e));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exit !== null) {
      const e = exit as ExitInfo;
      throw new Error(`it exited (${e.signal ?? `code ${e.code}`}) before it was ready`);
    }
    const ok = await fetch(`${server.url}/ready`, { signal: AbortSignal.timeout(2_000) }).then(
      async (res) => {
        await res.body?.cancel();
        return res.status === 200;
      },
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, READY_POLL_MS));
  }
  throw new Error(`/ready did not answer 200 within ${Math.round(timeoutMs / 1000)} s`);
}
