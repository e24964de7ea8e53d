/**
 * `npm run sim:scale` starts here: it bundles main.ts with the esbuild that
 * wrangler ships (as control/src/stack/local-router.ts does for the Worker)
 * and runs the bundle with plain node. Running main.ts through tsx directly
 * works too, but tsx keeps function names by wrapping every closure, which
 * costs a sixth of the simulation's time. The bundle lives in a temporary
 * directory, removed on exit; the child's exit code is passed on.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

const esbuild = createRequire(createRequire(import.meta.url).resolve("wrangler"))("esbuild") as typeof import("esbuild");
const dir = mkdtempSync(path.join(tmpdir(), "bluegreen-sim-"));
try {
  const outfile = path.join(dir, "sim.mjs");
  esbuild.buildSync({
    entryPoints: [MAIN],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // The sim's files find service-times.json beside them through import.meta.url: keep main.ts's.
    define: { "import.meta.url": JSON.stringify(pathToFileURL(MAIN).href) },
    logLevel: "error",
  });
  const child = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: "inherit" });
  process.exitCode = child.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
