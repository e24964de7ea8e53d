/**
 * Starts the real router Worker (worker/src/index.ts) in local workerd via
 * Miniflare, for Node-side tests (CLI, end-to-end drills): a thin wrapper
 * over control/src/stack/local-router.ts (the runner `npm start` uses) —
 * bundled once per test process, bindings from wrangler.toml (KV ROUTING
 * and DO DEPLOYMENTS simulated in memory), vars overridden per router,
 * listening on 127.0.0.1 on a free port, no cron. Several routers can run
 * at once; each one has its own in-memory KV and Durable Object storage.
 */
import { randomBytes } from "node:crypto";
import type { Miniflare } from "miniflare";
import { removeBundles, startLocalRouter } from "../../control/src/stack/local-router.js";

export interface StartRouterOptions {
  /** BLUE_ORIGINS, e.g. [blue.url]. */
  blueOrigins: string[];
  /** GREEN_ORIGINS. */
  greenOrigins: string[];
  /** Worker vars that win over wrangler.toml's [vars], e.g. { BAKE_SECONDS: "5" }. */
  vars?: Record<string, string>;
  /** ADMIN_TOKEN secret; a random one by default. */
  adminToken?: string;
  /** ORIGIN_TOKEN secret; unset by default (the origins then need none). */
  originToken?: string;
  /** Also print the Worker's console output (default: only kept, see `logs()`; or set ROUTER_LOGS=1). */
  printLogs?: boolean;
}

export interface RouterHandle {
  /** e.g. "http://127.0.0.1:41234" (no trailing slash). */
  url: string;
  adminToken: string;
  /** The Miniflare instance, for tests that reach into bindings. */
  mf: Miniflare;
  /** The Worker's recent console output (stdout and stderr lines, bounded). */
  logs(): string[];
  /** Disposes workerd and its simulated storage. */
  stop(): Promise<void>;
}

const running = new Set<Miniflare>();
let exitHookInstalled = false;

/** Starts a router on 127.0.0.1:<free port> and waits until it answers. */
export async function startRouter(opts: StartRouterOptions): Promise<RouterHandle> {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const mf of running) void mf.dispose();
    });
  }
  const adminToken = opts.adminToken ?? `test-admin-${randomBytes(12).toString("hex")}`;
  const print = opts.printLogs ?? process.env.ROUTER_LOGS === "1";
  const router = await startLocalRouter({
    blueOrigins: opts.blueOrigins,
    greenOrigins: opts.greenOrigins,
    vars: opts.vars,
    adminToken,
    originToken: opts.originToken,
    onLog: print ? (line) => process.stderr.write(`[router] ${line}\n`) : undefined,
  });
  running.add(router.mf);
  return {
    url: router.url,
    adminToken,
    mf: router.mf,
    logs: router.logs,
    async stop() {
      running.delete(router.mf);
      await router.stop();
    },
  };
}

/** Removes the bundle directory (call from an afterAll when no router runs any more). */
export async function cleanupRouterBundle(): Promise<void> {
  await removeBundles();
}
