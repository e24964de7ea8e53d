/**
 * What every bench entry starts: the two model servers (blue v1, green v2,
 * FAULT_CONTROL=1, access log to nowhere), the router and the passthrough
 * Worker in local workerd (each its own workerd process, whose pid the CPU
 * readings need), free loopback ports, step lines, and cleanup in reverse
 * order on exit or Ctrl-C.
 */
import { createServer } from "node:net";
import { randomToken } from "../src/stack/dev-vars.js";
import { startLocalRouter, type LocalRouter, type LocalRouterOptions } from "../src/stack/local-router.js";
import { type ModelServerProcess, spawnModelServer, waitReady } from "../src/stack/model-server-process.js";
import { killOnExit, takeSignals } from "../src/stack/signals.js";
import { childrenOf, newWorkerdChild } from "./cpu.js";
import { startPassthrough, type Passthrough } from "./passthrough.js";

/** One step line: `✓ name      text`. */
export function step(mark: "✓" | "·" | "!", name: string, text: string): void {
  process.stdout.write(`${mark} ${name.padEnd(9)} ${text}\n`);
}

/** A free port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Stops what a bench started, last started first; also on SIGINT/SIGTERM. */
export class Cleanups {
  readonly #fns: Array<() => Promise<unknown>> = [];
  readonly #pids: number[] = [];

  constructor() {
    killOnExit(() => this.#pids);
    takeSignals((signal) => {
      process.stderr.write(`! ${signal}: stopping what the bench started\n`);
      void this.run().then(() => process.exit(130));
    });
  }

  /** Runs `fn` at cleanup. */
  add(fn: () => Promise<unknown>): void {
    this.#fns.push(fn);
  }

  /** SIGKILLs `pid` if the process exits without cleanup. */
  killOnExit(pid: number | undefined): void {
    if (pid !== undefined) this.#pids.push(pid);
  }

  async run(): Promise<void> {
    while (this.#fns.length > 0) await this.#fns.pop()!().catch(() => {});
  }
}

/** The origins and tokens of a bench run. */
export interface Origins {
  blue: ModelServerProcess;
  green: ModelServerProcess;
  originToken: string;
  adminToken: string;
}

/** Starts blue v1 and green v2 and waits until both are ready. */
export async function startOrigins(cleanups: Cleanups): Promise<Origins> {
  const originToken = randomToken();
  const adminToken = randomToken();
  const servers: ModelServerProcess[] = [];
  for (const [part, version] of [["blue", "v1"], ["green", "v2"]] as const) {
    const server = spawnModelServer({ part, port: await freePort(), version, originToken, faultControl: true, faultRate: 0, faultLatencyMs: 0 });
    cleanups.killOnExit(server.proc.pid);
    servers.push(server);
  }
  cleanups.add(() => Promise.all(servers.map((s) => s.stop())));
  await Promise.all(servers.map((s) => waitReady(s, 30_000)));
  const [blue, green] = servers as [ModelServerProcess, ModelServerProcess];
  return { blue, green, originToken, adminToken };
}

/** The router options of a run: blue and green pools, the run's tokens. */
export function routerOptions(o: Origins): Pick<LocalRouterOptions, "blueOrigins" | "greenOrigins" | "adminToken" | "originToken"> {
  return { blueOrigins: [o.blue.url], greenOrigins: [o.green.url], adminToken: o.adminToken, originToken: o.originToken };
}

/** Starts the router (cron on) and finds its workerd process. */
export async function startRouter(
  o: Origins,
  cleanups: Cleanups,
  extra: Partial<LocalRouterOptions> = {},
): Promise<{ router: LocalRouter; workerd: number | null }> {
  const before = childrenOf(process.pid);
  const router = await startLocalRouter({ ...routerOptions(o), cron: true, exitOnSignal: false, ...extra });
  cleanups.add(() => router.stop());
  return { router, workerd: newWorkerdChild(before) };
}

/** Starts the passthrough Worker in front of blue and finds its workerd process. */
export async function startPassthroughFor(
  o: Origins,
  cleanups: Cleanups,
  opts: { inspectorPort?: number } = {},
): Promise<{ passthrough: Passthrough; workerd: number | null }> {
  const before = childrenOf(process.pid);
  const passthrough = await startPassthrough(o.blue.url, o.originToken, opts);
  cleanups.add(() => passthrough.stop());
  return { passthrough, workerd: newWorkerdChild(before) };
}
