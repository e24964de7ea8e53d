/**
 * `npm run build:dashboard`: builds the operator dashboard into dist/dashboard,
 * the Workers Static Assets directory of wrangler.toml (whose [build] runs
 * this before every `wrangler deploy` and `wrangler dev`). Prints each file
 * with its size.
 */
import path from "node:path";
import { buildDashboard } from "../src/stack/dashboard-bundle.js";

// Relative to the working directory, as wrangler.toml's [assets] directory is
// to wrangler.toml's: wrangler runs [build] there, which may be another copy
// of the repository than the one this script's files resolve to (symlinks).
const outDir = path.resolve("dist", "dashboard");
const started = performance.now();
const files = await buildDashboard(outDir);
const rows = Object.entries(files)
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([file, bytes]) => `  ${file.padEnd(16)} ${(bytes / 1024).toFixed(1).padStart(6)} KiB`);
// One write: wrangler's [build] relays output by chunk, with a blank line after each.
process.stdout.write(`${rows.join("\n")}\ndashboard built into ${path.relative(process.cwd(), outDir)} in ${Math.round(performance.now() - started)} ms\n`);
