// Runs in Node before the workerd project: builds the dashboard into
// dist/dashboard, the [assets] directory of wrangler.toml that the workerd
// pool serves through the ASSETS binding (a fresh clone has none: the build
// output is not committed), and hands the tests each file's SHA-256, so
// test/worker/dashboard/routes.test.ts can check the Worker serves exactly
// this build.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { buildDashboard, DASHBOARD_ASSETS } from "../../control/src/stack/dashboard-bundle.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** SHA-256 (hex) of each file of the dashboard build, by its path in the assets directory. */
    dashboardAssets: Record<string, string>;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const files = await buildDashboard();
  const hashes: Record<string, string> = {};
  for (const file of Object.keys(files)) {
    hashes[file] = createHash("sha256").update(await readFile(path.join(DASHBOARD_ASSETS, file))).digest("hex");
  }
  project.provide("dashboardAssets", hashes);
}
