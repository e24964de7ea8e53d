/**
 * Runs the `bluegreen` CLI as a real process (node control/bin/bluegreen.js)
 * for the CLI tests: a clean env (no ambient tokens or URLs), an empty
 * working directory (no stray .dev.vars), NO_COLOR, and a hard time limit.
 * `spawnCli` streams output for tests that act while the CLI runs (rollout).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = path.join(REPO_ROOT, "control", "bin", "bluegreen.js");
/** Settings the parent may carry that must not leak into the CLI under test. */
const SCRUBBED = ["ROUTER_URL", "ADMIN_TOKEN", "BLUE_URL", "GREEN_URL", "ORIGIN_TOKEN", "FORCE_COLOR"];

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string>;
  /** Working directory; an empty temp dir by default. */
  cwd?: string;
  timeoutMs?: number;
}

let emptyDir: string | undefined;

/** An empty directory to run the CLI in (no .dev.vars). */
export async function emptyCwd(): Promise<string> {
  emptyDir ??= await mkdtemp(path.join(tmpdir(), "bluegreen-cli-"));
  return emptyDir;
}

/** A fresh directory holding a .dev.vars with `vars`; remove it with `removeDir`. */
export async function dirWithDevVars(vars: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "bluegreen-devvars-"));
  await writeFile(path.join(dir, ".dev.vars"), Object.entries(vars).map(([k, v]) => `${k}=${v}\n`).join(""));
  return dir;
}

/** Removes a directory made here. */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

function childEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of SCRUBBED) delete base[k];
  return { ...base, NO_COLOR: "1", ...env };
}

export interface SpawnedCli {
  proc: ChildProcess;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout+stderr contain `pattern` (rejects if the CLI exits first or after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the result when the process exits. */
  done: Promise<CliResult>;
}

/** Starts the CLI and returns a handle to its output and exit. */
export async function spawnCli(args: string[], opts: CliOptions = {}): Promise<SpawnedCli> {
  const cwd = opts.cwd ?? (await emptyCwd());
  const proc = spawn(process.execPath, [BIN, ...args], { cwd, env: childEnv(opts.env), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const listeners = new Set<() => void>();
  proc.stdout!.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    for (const l of listeners) l();
  });
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => {
    err += d;
    for (const l of listeners) l();
  });
  const limit = setTimeout(() => proc.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
  const done = new Promise<CliResult>((resolve) => {
    proc.once("close", (code, signal) => {
      clearTimeout(limit);
      for (const l of listeners) l();
      resolve({ code, signal, stdout: out, stderr: err });
    });
  });
  let exited = false;
  void done.then(() => (exited = true));
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    done,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(out + err)) {
            cleanup();
            resolve();
          } else if (exited) {
            cleanup();
            reject(new Error(`CLI exited before printing ${pattern}\n--- stdout ---\n${out}\n--- stderr ---\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`CLI did not print ${pattern} within ${timeoutMs} ms\n--- stdout ---\n${out}\n--- stderr ---\n${err}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** Runs the CLI to completion. */
export async function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return (await spawnCli(args, opts)).done;
}

/** Output of a failed expectation, to make test failures readable. */
export function show(r: CliResult): string {
  return `exit ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

/** A loopback URL on which nothing listens (a port that was free a moment ago). */
export async function closedPortUrl(): Promise<string> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Parses the CLI's --json stdout. */
export function jsonOf<T = Record<string, unknown>>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout is not one JSON document\n${show(r)}`);
  }
}
