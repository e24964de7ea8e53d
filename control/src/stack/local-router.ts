/**
 * Runs the router Worker (worker/src/index.ts) in local workerd through
 * Miniflare's API — several times faster than `wrangler dev`, which adds a
 * proxy in front. The Worker is bundled once per process and entry with the
 * esbuild wrangler ships with, and so is the dashboard, served as the
 * static assets of wrangler.toml's [assets] (dashboard-bundle.ts); bindings
 * come from wrangler.toml (KV ROUTING, DO DEPLOYMENTS, ASSETS, [vars]); vars
 * and secrets are overridden per router. KV and the Durable Object live in
 * memory, or under `persistDir` so the routing state and history survive a
 * restart. Miniflare does not run cron triggers, so `cron: true` fires the
 * scheduled handler once ready (awaited) and at every minute boundary, as
 * the "* * * * *" trigger would.
 * Used by `npm start` (stack/main.ts), the bench and test/helpers/router.ts.
 */
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";
import { buildDashboard, DASHBOARD_ASSETS_WORKER, dashboardAssetsWorker, wranglerEsbuild } from "./dashboard-bundle.js";

/** Repository root (this file lives in control/src/stack/). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** The router's wrangler config: bindings, vars, crons. */
export const WRANGLER_TOML = path.join(REPO_ROOT, "wrangler.toml");
/** The Worker's entry point. */
export const WORKER_ENTRY = path.join(REPO_ROOT, "worker", "src", "index.ts");
/** The cron of wrangler.toml's [triggers] ("every minute"). */
export const CRON = "* * * * *";
const MINUTE_MS = 60_000;
const MAX_LOG_LINES = 500;

export interface LocalRouterOptions {
  /** BLUE_ORIGINS, e.g. ["http://127.0.0.1:8001"]. */
  blueOrigins: string[];
  /** GREEN_ORIGINS. */
  greenOrigins: string[];
  /** ADMIN_TOKEN secret. */
  adminToken: string;
  /** ORIGIN_TOKEN secret; unset: origins need none. */
  originToken?: string | undefined;
  /** ALERT_WEBHOOK_URL secret, over a .dev.vars beside wrangler.toml; a `vars` entry wins over it. Unset: alerts are only logged. */
  alertWebhookUrl?: string | undefined;
  /** Worker vars that win over wrangler.toml's [vars], e.g. { BAKE_SECONDS: "5" }. */
  vars?: Record<string, string> | undefined;
  /** Listen address, default 127.0.0.1. */
  host?: string;
  /** Listen port, default 0 (a free one). */
  port?: number;
  /** Keep KV, Durable Objects and cache under this directory; in memory when unset. */
  persistDir?: string | undefined;
  /** Fire the scheduled handler once ready and then at every minute boundary, as the cron would. */
  cron?: boolean;
  /** Called with each line the Worker prints (console.log/warn/error). */
  onLog?: (line: string) => void;
  /** Worker module to bundle instead of worker/src/index.ts (e.g. the bench's counting wrapper). */
  entry?: string;
  /** Import aliases for bundling `entry` (see bundleWorker). */
  alias?: Record<string, string>;
  /**
   * Called once when workerd's process ends while the router runs (it crashed
   * or was killed), never after stop(): Miniflare does not say so by itself.
   */
  onExit?: () => void;
  /**
   * Miniflare exits the process on SIGINT/SIGTERM (exit 130/143) from handlers
   * it installs; false removes them, for a caller that stops its parts in
   * order itself (workerd is still disposed when the process exits).
   */
  exitOnSignal?: boolean;
  /** Opens workerd's V8 inspector on this loopback port (0: a free one), for the bench's CPU profile. */
  inspectorPort?: number;
}

export interface LocalRouter {
  /** e.g. "http://127.0.0.1:8787" (no trailing slash). */
  url: string;
  /** The Miniflare instance, for callers that reach into bindings. */
  mf: Miniflare;
  /** The Worker's recent output lines (bounded). */
  logs(): string[];
  /** Runs the scheduled handler now, as the cron trigger would. */
  triggerCron(): Promise<void>;
  /** With `cron`: why the last scheduled run failed, or null when it succeeded. */
  cronError(): string | null;
  /** Stops the cron timer and disposes workerd (persisted storage stays on disk). */
  stop(): Promise<void>;
}

interface Bundle {
  dir: string;
  file: string;
}

const bundles = new Map<string, Promise<Bundle>>();
let dashboard: Promise<string> | undefined;
/** Bundle directories made by this process, removed when it exits (however the caller forgot to). */
const bundleDirs = new Set<string>();
let exitCleanupInstalled = false;

/** A new temporary directory, removed when the process exits. */
async function bundleDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  bundleDirs.add(dir);
  if (!exitCleanupInstalled) {
    exitCleanupInstalled = true;
    process.once("exit", () => {
      for (const d of bundleDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}

/**
 * Bundles a Worker entry once per process, with the esbuild wrangler ships
 * with; `alias` maps import names to files (the bench's wrapper imports the
 * Worker as "bluegreen-router-entry").
 */
export function bundleWorker(entry: string = WORKER_ENTRY, alias: Record<string, string> = {}): Promise<Bundle> {
  const key = JSON.stringify([entry, alias]);
  let bundle = bundles.get(key);
  if (bundle === undefined) {
    bundle = (async () => {
      const dir = await bundleDir("bluegreen-router-");
      const file = path.join(dir, "index.js");
      await wranglerEsbuild().build({
        entryPoints: [entry],
        outfile: file,
        bundle: true,
        format: "esm",
        target: "es2022",
        platform: "neutral",
        conditions: ["workerd", "worker", "browser"],
        mainFields: ["browser", "module", "main"],
        external: ["cloudflare:*", "node:*"],
        alias,
        logLevel: "silent",
      });
      return { dir, file };
    })();
    bundles.set(key, bundle);
  }
  return bundle;
}

/**
 * Builds the dashboard (dashboard-bundle.ts) once per process into a
 * directory of its own, served as the Worker's static assets: the same
 * bytes as the dist/dashboard `wrangler deploy` uploads, without writing
 * into the repository (or a container's read-only /app) while tests or
 * another router may read it.
 */
export function buildDashboardOnce(): Promise<string> {
  dashboard ??= (async () => {
    const dir = await bundleDir("bluegreen-dashboard-");
    await buildDashboard(dir);
    return dir;
  })();
  return dashboard;
}

/** Removes the bundle directories made by this process (call when no router runs any more). */
export async function removeBundles(): Promise<void> {
  const all: Array<Promise<string>> = [...bundles.values()].map(async (b) => (await b).dir);
  if (dashboard !== undefined) all.push(dashboard);
  bundles.clear();
  dashboard = undefined;
  await Promise.all(
    all.map(async (d) => {
      const dir = await d;
      bundleDirs.delete(dir);
      await rm(dir, { recursive: true, force: true });
    }),
  );
}

/**
 * Runs `fn` with wrangler's logger at "warn": reading the config prints
 * "Using secrets defined in .dev.vars" on stdout otherwise (the secrets it
 * reads there are overridden by the options anyway).
 */
function quietly<T>(fn: () => T): T {
  const before = process.env.WRANGLER_LOG;
  process.env.WRANGLER_LOG = "warn";
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env.WRANGLER_LOG;
    else process.env.WRANGLER_LOG = before;
  }
}

/** Milliseconds until the next whole minute, when a "* * * * *" cron fires. */
export function msToNextMinute(nowMs: number): number {
  return MINUTE_MS - (nowMs % MINUTE_MS);
}

/**
 * wrangler.toml's Worker options, its [assets] directory replaced by
 * `assetsDir` (this process's build of the dashboard), or without assets
 * when null (for the vars alone: a fresh clone has no build yet).
 */
function wranglerWorkerOptions(assetsDir: string | null) {
  return quietly(() => {
    const config = unstable_readConfig({ config: WRANGLER_TOML });
    if (assetsDir === null) return unstable_getMiniflareWorkerOptions({ ...config, assets: undefined }).workerOptions;
    return unstable_getMiniflareWorkerOptions(config, undefined, { overrides: { assets: { directory: assetsDir } } }).workerOptions;
  });
}

/**
 * The vars the router Worker gets, secrets aside: wrangler.toml's [vars] (and
 * whatever wrangler reads from a .dev.vars beside it), the pools, then `vars`.
 * `npm start` checks these with contract/worker-env.ts before starting anything.
 */
export function routerVars(opts: Pick<LocalRouterOptions, "blueOrigins" | "greenOrigins" | "vars">): Record<string, string> {
  return varsOf(wranglerWorkerOptions(null).bindings, opts);
}

function varsOf(fromToml: unknown, opts: Pick<LocalRouterOptions, "blueOrigins" | "greenOrigins" | "vars">): Record<string, string> {
  return {
    ...(fromToml as Record<string, string> | undefined),
    BLUE_ORIGINS: opts.blueOrigins.join(","),
    GREEN_ORIGINS: opts.greenOrigins.join(","),
    ...opts.vars,
  };
}

/** Starts the router in local workerd and resolves once it listens. */
export async function startLocalRouter(opts: LocalRouterOptions): Promise<LocalRouter> {
  const bundle = await bundleWorker(opts.entry, opts.alias);
  const workerOptions = wranglerWorkerOptions(await buildDashboardOnce());
  const bindings: Record<string, string> = {
    ...varsOf(workerOptions.bindings, opts),
    ADMIN_TOKEN: opts.adminToken,
    ...(opts.originToken ? { ORIGIN_TOKEN: opts.originToken } : {}),
    ...(opts.alertWebhookUrl && opts.vars?.ALERT_WEBHOOK_URL === undefined ? { ALERT_WEBHOOK_URL: opts.alertWebhookUrl } : {}),
  };
  const lines: string[] = [];
  let stopped = false;
  let exitReported = false;
  // workerd's stdout and stderr end when its process does; dispose() in stop() cuts them without ending them.
  let openStreams = 2;
  const streamEnded = () => {
    if (--openStreams > 0 || stopped || exitReported) return;
    exitReported = true;
    opts.onExit?.();
  };
  const signalListeners = { SIGINT: process.listeners("SIGINT"), SIGTERM: process.listeners("SIGTERM") };
  const { assets, ...routerOptions } = workerOptions;
  const router = {
    ...routerOptions,
    name: "bluegreen-router",
    modules: true,
    modulesRoot: bundle.dir,
    scriptPath: bundle.file,
    bindings,
    // The Worker listens on a direct socket: requests skip Miniflare's entry worker (an extra JS hop per
    // request that about halves throughput).
    unsafeDirectSockets: [{ host: opts.host ?? "127.0.0.1", port: opts.port ?? 0 }],
  };
  const mf = new Miniflare({
    workers:
      assets?.binding === undefined
        ? [router]
        : [
            { ...router, serviceBindings: { ...routerOptions.serviceBindings, [assets.binding]: DASHBOARD_ASSETS_WORKER } },
            dashboardAssetsWorker(assets, routerOptions.compatibilityDate),
          ],
    // Miniflare's own entry stays on a free loopback port.
    host: "127.0.0.1",
    port: 0,
    ...(opts.persistDir !== undefined ? { defaultPersistRoot: opts.persistDir } : {}),
    ...(opts.inspectorPort !== undefined ? { inspectorPort: opts.inspectorPort } : {}),
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      for (const stream of [stdout, stderr]) {
        createInterface({ input: stream })
          .on("line", (line) => {
            lines.push(line);
            if (lines.length > MAX_LOG_LINES) lines.shift();
            opts.onLog?.(line);
          })
          .once("close", streamEnded);
      }
    },
  } as ConstructorParameters<typeof Miniflare>[0]);
  if (opts.exitOnSignal === false) {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      for (const listener of process.listeners(signal)) {
        if (!signalListeners[signal].includes(listener)) process.removeListener(signal, listener);
      }
    }
  }

  let direct: URL;
  try {
    await mf.ready;
    direct = await mf.unsafeGetDirectURL();
  } catch (err) {
    await mf.dispose().catch(() => {});
    throw err;
  }

  const triggerCron = async () => {
    const worker = (await mf.getWorker()) as unknown as { scheduled(o: { cron: string; scheduledTime: Date }): Promise<{ outcome?: string }> };
    const result = await worker.scheduled({ cron: CRON, scheduledTime: new Date() });
    if (result?.outcome !== undefined && result.outcome !== "ok") throw new Error(`scheduled handler outcome "${result.outcome}"`);
  };
  let timer: NodeJS.Timeout | undefined;
  let cronError: string | null = null;
  const fire = async () => {
    try {
      await triggerCron();
      cronError = null;
    } catch (err) {
      cronError = String(err);
      opts.onLog?.(`scheduled handler failed: ${cronError}`);
    }
  };
  if (opts.cron) {
    await fire();
    const next = () => {
      timer = setTimeout(() => {
        if (stopped) return;
        void fire();
        next();
      }, msToNextMinute(Date.now()));
    };
    next();
  }

  return {
    url: direct.origin,
    mf,
    logs: () => [...lines],
    triggerCron,
    cronError: () => cronError,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await mf.dispose();
    },
  };
}
