// `npm run test:soak`: the long drills that take real minutes and so stay
// out of `npm test` (vitest.config.ts excludes test/soak/): the shadow gate
// in front of `bluegreen rollout --shadow 30s` (docs/drills.md). CI runs it
// after `npm test` (.ci/run).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "soak",
    root: fileURLToPath(new URL("../..", import.meta.url)),
    environment: "node",
    include: ["test/soak/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
