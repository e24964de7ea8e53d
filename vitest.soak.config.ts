import { defineConfig } from "vitest/config";

// `npm run test:soak`: drills that take minutes of real time (test/**/*.soak.test.ts),
// kept out of `npm test` (≤ 3 minutes); .ci/run runs them after it.
export default defineConfig({
  test: {
    name: "soak",
    environment: "node",
    include: ["test/**/*.soak.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 60_000,
  },
});
