/**
 * Builds the operator dashboard (worker/dashboard/) into a Workers Static
 * Assets directory with the esbuild wrangler ships with:
 *   admin.html      page.html, served at GET /admin
 *   admin/app.js    main.ts and what it imports (the contract's schemas
 *                   included), bundled and minified into one classic script
 *   admin/app.css   page.css, minified
 *   _headers        the CSP and the other security headers, which the asset
 *                   server adds to every asset (not itself served)
 * The output depends only on the sources, so the directory `wrangler deploy`
 * uploads (dist/dashboard, made by wrangler.toml's [build]), the one the
 * workerd tests read and the one `npm start` serves (local-router.ts, in a
 * temporary directory) hold the same bytes. Files are written whole (a
 * temporary file renamed), so a reader never sees half a build.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** The dashboard's sources. */
export const DASHBOARD_SOURCES = path.join(REPO_ROOT, "worker", "dashboard");
/** wrangler.toml's `[assets] directory`: what `wrangler deploy` uploads and the workerd tests serve. */
export const DASHBOARD_ASSETS = path.join(REPO_ROOT, "dist", "dashboard");

/** The esbuild that wrangler depends on (no bundler of our own). */
export function wranglerEsbuild(): typeof import("esbuild") {
  return createRequire(createRequire(import.meta.url).resolve("wrangler"))("esbuild") as typeof import("esbuild");
}

/** Each file of a build, by its path in the assets directory, with its size in bytes. */
export type DashboardFiles = Record<string, number>;

/** Static files copied as they are: source name → asset path. */
const COPIED: ReadonlyArray<readonly [string, string]> = [
  ["page.html", "admin.html"],
  ["_headers", "_headers"],
];

let written = 0;

/** Writes `file` whole: a temporary file beside the directory (never inside, where it could be served), renamed. */
async function writeWhole(outDir: string, file: string, contents: Uint8Array): Promise<void> {
  const target = path.join(outDir, file);
  await mkdir(path.dirname(target), { recursive: true });
  const temporary = path.join(path.dirname(outDir), `.${path.basename(outDir)}.${process.pid}.${++written}.tmp`);
  await writeFile(temporary, contents);
  await rename(temporary, target);
}

/** Every file under `dir`, as paths relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

/** Builds the dashboard into `outDir` (default dist/dashboard), removing anything else there; answers the files written. */
export async function buildDashboard(outDir: string = DASHBOARD_ASSETS): Promise<DashboardFiles> {
  const result = await wranglerEsbuild().build({
    entryPoints: [
      { in: path.join(DASHBOARD_SOURCES, "main.ts"), out: "admin/app" },
      { in: path.join(DASHBOARD_SOURCES, "page.css"), out: "admin/app" },
    ],
    outdir: outDir,
    write: false,
    bundle: true,
    // A classic deferred script (page.html), strict like the modules it came from.
    format: "iife",
    banner: { js: '"use strict";' },
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    charset: "utf8",
    logLevel: "silent",
  });
  const outputs = new Map<string, Uint8Array>(result.outputFiles.map((f) => [path.relative(outDir, f.path), f.contents]));
  for (const [from, to] of COPIED) outputs.set(to, await readFile(path.join(DASHBOARD_SOURCES, from)));
  await Promise.all([...outputs].map(([file, contents]) => writeWhole(outDir, file, contents)));
  // A file an older build made (a renamed asset) would be uploaded and served too.
  for (const file of await filesUnder(outDir)) {
    if (!outputs.has(file)) await rm(path.join(outDir, file), { force: true });
  }
  return Object.fromEntries([...outputs].map(([file, contents]) => [file, contents.byteLength]));
}

/** The name of the local worker behind the router's ASSETS binding. */
export const DASHBOARD_ASSETS_WORKER = "bluegreen-dashboard-assets";

/**
 * Miniflare options of the worker that answers for the router's ASSETS
 * binding in local workerd (local-router.ts): wrangler.toml's [assets] — the
 * asset server with its _headers and html_handling, as deployed — under a
 * script that only hands it each request. Kept off the router's own worker
 * because Miniflare puts an asset-routing proxy in front of a worker that
 * has assets, even on its direct socket: two more JS hops per request,
 * which measured 2.8k against 6.3k requests/s on the router's 401 path. On
 * Cloudflare the platform does that routing.
 */
export function dashboardAssetsWorker(assets: { directory: string }, compatibilityDate: string | undefined) {
  return {
    name: DASHBOARD_ASSETS_WORKER,
    modules: true,
    script: "export default { fetch: (request, env) => env.ASSETS.fetch(request) };",
    compatibilityDate,
    assets: { ...assets, binding: "ASSETS", routerConfig: { has_user_worker: true, invoke_user_worker_ahead_of_assets: true } },
  };
}
