/**
 * Starts the real router Worker (worker/src/index.ts) in local workerd via
 * Miniflare, for Node-side tests (CLI, end-to-end drills): bundled once per
 * test process with wrangler's esbuild, bindings taken from wrangler.toml
 * (KV ROUTING and DO DEPLOYMENTS simulated in memory), vars overridden per
 * router, listening on 127.0.0.1 on a free port. Several routers can run at
 * once; each one has its own in-memory KV and Durable Object storage.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const WRANGLER_TOML = path.join(REPO_ROOT, "wrangler.toml");
const ENTRY = path.join(REPO_ROOT, "worker", "src", "index.ts");

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

interface Bundle {
  dir: string;
  file: string;
}

let bundling: Promise<Bundle> | undefined;
const running = new Set<Miniflare>();
const MAX_LOG_LINES = 500;

/** Bundles the Worker once per process, with the esbuild wrangler ships with. */
function bundleWorker(): Promise<Bundle> {
  bundling ??= (async () => {
    const esbuild = createRequire(createRequire(import.meta.url).resolve("wrangler"))("esbuild") as typeof import("esbuild");
    const dir = await mkdtemp(path.join(tmpdir(), "bluegreen-router-"));
    const file = path.join(dir, "index.js");
    await esbuild.build({
      entryPoints: [ENTRY],
      outfile: file,
      bundle: true,
      format: "esm",
      target: "es2022",
      platform: "neutral",
      conditions: ["workerd", "worker", "browser"],
      mainFields: ["browser", "module", "main"],
      external: ["cloudflare:*", "node:*"],
      logLevel: "silent",
    });
    process.once("exit", () => {
      for (const mf of running) void mf.dispose();
    });
    return { dir, file };
  })();
  return bundling;
}

/** Starts a router on 127.0.0.1:<free port> and waits until it answers. */
export async function startRouter(opts: StartRouterOptions): Promise<RouterHandle> {
  const bundle = await bundleWorker();
  const { workerOptions } = unstable_getMiniflareWorkerOptions(WRANGLER_TOML);
  const adminToken = opts.adminToken ?? `test-admin-${randomBytes(12).toString("hex")}`;
  const bindings: Record<string, string> = {
    ...(workerOptions.bindings as Record<string, string> | undefined),
    BLUE_ORIGINS: opts.blueOrigins.join(","),
    GREEN_ORIGINS: opts.greenOrigins.join(","),
    ...opts.vars,
    ADMIN_TOKEN: adminToken,
    ...(opts.originToken ? { ORIGIN_TOKEN: opts.originToken } : {}),
  };
  const lines: string[] = [];
  const print = opts.printLogs ?? process.env.ROUTER_LOGS === "1";
  const mf = new Miniflare({
    ...workerOptions,
    name: "bluegreen-router",
    modules: true,
    modulesRoot: bundle.dir,
    scriptPath: bundle.file,
    bindings,
    host: "127.0.0.1",
    port: 0,
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      for (const stream of [stdout, stderr]) {
        createInterface({ input: stream }).on("line", (line) => {
          lines.push(line);
          if (lines.length > MAX_LOG_LINES) lines.shift();
          if (print) process.stderr.write(`[router] ${line}\n`);
        });
      }
    },
  } as ConstructorParameters<typeof Miniflare>[0]);
  running.add(mf);
  try {
    const ready = await mf.ready;
    return {
      url: ready.origin,
      adminToken,
      mf,
      logs: () => [...lines],
      async stop() {
        running.delete(mf);
        await mf.dispose();
      },
    };
  } catch (err) {
    running.delete(mf);
    await mf.dispose().catch(() => {});
    throw err;
  }
}

/** Removes the bundle directory (call from an afterAll when no router runs any more). */
export async function cleanupRouterBundle(): Promise<void> {
  if (!bundling) return;
  const { dir } = await bundling;
  bundling = undefined;
  await rm(dir, { recursive: true, force: true });
}
