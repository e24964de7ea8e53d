// `npm run test:soak`: the drills whose bounds are minutes of real time (a
// 2-minute steady error rate, a 3-minute bake, a 30-second shadow gate) or
// that load this 2-core machine's CPU for long (drift drills at 1,000
// predictions/s, shadow drills mirroring every prediction), kept out of
// `npm test` so that the everyday suite stays about three minutes;
// `.ci/run` runs them after it. A soak file is named `*.soak.test.ts` and
// lives beside the tests of what it drives (test/e2e/, test/control/); the
// main config's node project excludes that name. They run at the same time,
// three files at once: they mostly wait on real time, each with its own
// model servers and router on loopback.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { LongestFirstSequencer } from "../sequencer.js";

export default defineConfig({
  test: {
    name: "soak",
    root: fileURLToPath(new URL("../..", import.meta.url)),
    environment: "node",
    include: ["test/**/*.soak.test.ts"],
    exclude: ["test/containers/**", "**/node_modules/**"],
    maxWorkers: 3,
    // The 3-minute bake first, so the shorter files run beside it (test/sequencer.ts).
    sequence: { sequencer: LongestFirstSequencer },
    testTimeout: 300_000,
    hookTimeout: 60_000,
  },
});
