/**
 * Runs the local-stack launcher (`npm start`'s `node --import tsx
 * control/src/stack/main.ts`) as a real process for tests: free loopback
 * ports, a temporary working directory for `.bluegreen/` and `.dev.vars`, a
 * clean env, output collected, and every process it started found through
 * /proc so a test can check none is left after it stops.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "./model-server.js";

const TSX_LOADER = pathToFileURL(path.join(REPO_ROOT, "node_modules/tsx/dist/loader.mjs")).href;
export const STACK_ENTRY = path.join(REPO_ROOT, "control/src/stack/main.ts");
/** Settings the parent may carry that must not leak into the stack under test. */
const SCRUBBED = [
  "ADMIN_TOKEN", "ORIGIN_TOKEN", "ROUTER_URL", "BLUE_URL", "GREEN_URL", "BLUE_PORT", "GREEN_PORT", "ROUTER_PORT", "ROUTER_HOST",
  "BLUE_VERSION", "GREEN_VERSION", "FAULT_CONTROL", "BLUE_ORIGINS", "GREEN_ORIGINS", "BLUEGREEN_STATE_DIR", "BLUEGREEN_DEV_VARS",
  "BLUEGREEN_RESET", "ROUTER_ONLY", "LOG_REQUESTS", "PORT", "HOST", "MODEL_VERSION", "FORCE_COLOR",
];

export interface StackPorts {
  blue: number;
  green: number;
  router: number;
}

/**
 * A loopback port that was free a moment ago, picked below Linux's ephemeral
 * range (32768–60999): the launcher binds it a few seconds later, and in that
 * gap another test's port-0 server could otherwise be handed the same port.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => resolve(true));
    });
    if (!bound) continue;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }
  throw new Error("no free loopback port found in 20000–31999 after 50 tries");
}

/** Three distinct free ports. */
export async function freeStackPorts(): Promise<StackPorts> {
  const ports = new Set<number>();
  while (ports.size < 3) ports.add(await freePort());
  const [blue, green, router] = [...ports] as [number, number, number];
  return { blue, green, router };
}

/** The flags that put a stack on `ports`. */
export function portFlags(ports: StackPorts): string[] {
  return ["--blue-port", String(ports.blue), "--green-port", String(ports.green), "--router-port", String(ports.router)];
}

export interface StackExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StackProcess {
  proc: ChildProcess;
  output(): string;
  /** Resolves when the output matches `pattern`; rejects if the process exits first or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Pids of every process below the launcher right now (model servers, workerd, esbuild). */
  descendants(): number[];
  /** Sends `signal` and resolves with the exit (SIGKILL after 30 s). */
  stop(signal?: NodeJS.Signals): Promise<StackExit>;
  exited: Promise<StackExit>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const proc of running) proc.kill("SIGKILL");
});

/** Pids whose parent is `pid`, read from /proc. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Field 4 (ppid) follows the ")" that closes the command name.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** True while `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Spawns the launcher with `args` in `cwd` (the exact command by default; `command` replaces it). */
export function spawnStack(args: string[], opts: { cwd: string; env?: Record<string, string>; command?: string[] }): StackProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of SCRUBBED) delete env[key];
  Object.assign(env, { NO_COLOR: "1" }, opts.env);
  const [file, ...rest] = opts.command ?? [process.execPath, "--import", TSX_LOADER, STACK_ENTRY];
  const proc = spawn(file!, [...rest, ...args], { cwd: opts.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  running.add(proc);
  let out = "";
  const listeners = new Set<() => void>();
  for (const stream of [proc.stdout!, proc.stderr!]) {
    stream.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      for (const l of listeners) l();
    });
  }
  const exited = new Promise<StackExit>((resolve) =>
    proc.once("close", (code, signal) => {
      running.delete(proc);
      for (const l of listeners) l();
      resolve({ code, signal });
    }),
  );
  let done = false;
  void exited.then(() => (done = true));
  const descendants = () => {
    const all: number[] = [];
    const queue = proc.pid ? [proc.pid] : [];
    while (queue.length > 0) {
      for (const child of childrenOf(queue.shift()!)) {
        all.push(child);
        queue.push(child);
      }
    }
    return all;
  };
  return {
    proc,
    output: () => out,
    exited,
    descendants,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(out)) finish(resolve);
          else if (done) finish(() => reject(new Error(`stack exited before printing ${pattern}\n--- output ---\n${out}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`stack did not print ${pattern} within ${timeoutMs} ms\n--- output ---\n${out}`))), timeoutMs);
        const finish = (then: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          then();
        };
        listeners.add(check);
        check();
      });
    },
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      if (!done) proc.kill(signal);
      const timer = setTimeout(() => proc.kill("SIGKILL"), 30_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Spawns the launcher and waits for the whole "The stack is up" banner. */
export async function startStack(args: string[], opts: { cwd: string; env?: Record<string, string>; command?: string[] }): Promise<StackProcess> {
  const stack = spawnStack(args, opts);
  try {
    // The banner's last line: everything before it has been printed.
    await stack.waitFor(/The stack is up[^]*curl -s \S+\/predict .*\n/);
  } catch (err) {
    await stack.stop("SIGKILL");
    throw err;
  }
  return stack;
}
