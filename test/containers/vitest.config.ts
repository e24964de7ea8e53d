// `npm run test:containers` (docs/drills.md "Containers"): the colours and
// the router as real containers on the local Docker engine, one compose
// project per run (global-setup.ts), drills (a)–(f) against it. Kept out of
// `npm test` (vitest.config.ts excludes test/containers/). The files share
// one project, so they run one at a time; each leaves the stack healthy for
// the next.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "containers",
    root: fileURLToPath(new URL("../..", import.meta.url)),
    environment: "node",
    include: ["test/containers/**/*.test.ts"],
    globalSetup: ["test/containers/global-setup.ts"],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
