import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { LongestFirstSequencer } from "./test/sequencer.js";

// Two projects: `workerd` runs the router Worker inside local
// workerd; `node` runs the model server, the CLI and the end-to-end drills as
// real processes on loopback, and the Worker's pure rules.
//
// A test of a pure module of the Worker (no storage, RPC, fetch or workerd
// API: rollback-policy, transitions, tick, metric-windows, …) is named
// `*.pure.test.ts` and stays beside the others in test/worker/, mirroring
// worker/src/; it runs in the node project, which starts no servers and no
// workerd. Everything else in test/worker/ needs workerd and runs there.
const PURE_WORKER_TESTS = "test/worker/**/*.pure.test.ts";
export default defineConfig({
  test: {
    // Four files at a time on a 2-core machine (the default would be one): the
    // e2e drills, bakes and process starts mostly wait on real time, so they run
    // beside the other files instead of after them (on a quiet machine: 3 files,
    // 187 s; 4 files, 177 s, both with ~315 s of CPU). Drills bounded by minutes of
    // real time are `*.soak.test.ts`, run by `npm run test:soak` (test/soak/).
    maxWorkers: 4,
    // The longest files first, both projects' files in one queue (test/sequencer.ts).
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            // workerd's --verbose (the pool's default) logs every exception the runtime
            // sees, with native stack lines: the refused-connection tests alone left ~300
            // expected "Network connection lost" blocks (~0.8 MB of the CI log). Off, the
            // Worker's console output still shows and failures still fail their tests;
            // WORKERD_VERBOSE=1 turns it back on for debugging.
            verbose: process.env.WORKERD_VERBOSE === "1",
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                ADMIN_TOKEN: "test-admin-token",
                ORIGIN_TOKEN: "test-origin-token",
                // The controllers' alarms never fire on their own during a test run:
                // tests run them with runDurableObjectAlarm (test/worker/controller/).
                HEALTH_INTERVAL_SECONDS: "3600",
                // Outcomes are reported at the end of each request, so a request's
                // background work (waitOnExecutionContext) is one controller call, not a
                // trailing flush that waits for the next report to fall due. Tests of the
                // reporting cadence set REPORT_INTERVAL_MS themselves (test/worker/telemetry.test.ts).
                REPORT_INTERVAL_MS: "0",
                ...inject<Record<string, string>>("workerBindings"),
              },
            },
          })),
        ],
        test: {
          name: "workerd",
          // One workerd per pool worker, reused from file to file, instead of a new workerd
          // (and a new module graph) for every file: most files run for well under a second,
          // and starting workerd cost more than that. Files share the simulated Durable
          // Objects and KV, so every test works on a deployment of its own
          // (test/worker/helpers.ts testEnv), never on another file's.
          isolate: false,
          include: ["test/worker/**/*.test.ts"],
          exclude: [PURE_WORKER_TESTS, "**/node_modules/**"],
          // The dashboard's build first: the pool serves wrangler.toml's [assets] directory.
          globalSetup: ["test/dashboard/global-setup.ts", "test/worker/global-setup.ts"],
        },
      },
      {
        test: {
          name: "node",
          environment: "node",
          // Files share their worker's loaded modules (no new module graph per file): each
          // file that starts a router or a CLI otherwise paid ~1.5 s of CPU importing wrangler
          // and miniflare again. Nothing in these tests relies on a fresh module state; the
          // helpers keep only caches and the registries of what they started.
          isolate: false,
          include: ["test/**/*.test.ts"],
          // test/containers/ needs a Docker engine: npm run test:containers. Soak drills
          // (minutes of real time each): npm run test:soak.
          exclude: ["test/worker/**/!(*.pure).test.ts", "test/containers/**", "test/**/*.soak.test.ts", "**/node_modules/**"],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
