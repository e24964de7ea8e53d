/**
 * The order `npm test` starts its files in (vitest.config.ts `sequence.sequencer`):
 * the files that take longest, mostly waiting on real time (drills, bakes,
 * processes starting), go first, longest first, so they run beside the many
 * short files instead of after them and the run ends on short files; then
 * the workerd project's files, so its pool's workerd starts while the long
 * files run. The rest keep vitest's own order (its cache's durations, else
 * file size).
 * Without this, vitest runs one project's files after the other's and, on a
 * clean clone (no cache), a long drill may start last.
 */
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Longest first (the classic longest-processing-time rule for filling
 * parallel workers), by their durations in a full run: the launcher stacks
 * first, and the drills spread out between the long CLI and launcher
 * files rather than all at once.
 */
export const LONG_FILES = [
  // npm run test:soak's files (test/soak/vitest.config.ts uses this order too): the 3-minute bake first.
  "test/e2e/drift-legitimate.soak.test.ts",
  "test/e2e/rollback-drills-long.soak.test.ts",
  "test/e2e/shadow-gate.soak.test.ts",
  "test/e2e/shadow-drills.soak.test.ts",
  "test/e2e/drift-drills.soak.test.ts",
  // npm test's:
  "test/control/stack/stack.test.ts", // five `npm start` stacks, one after the other
  "test/control/cli-validate.test.ts",
  "test/control/deploy-doc.test.ts",
  "test/control/cli-check-config.test.ts",
  "test/e2e/rollback-drills.test.ts",
  "test/e2e/byo-fastapi.test.ts",
  "test/control/cli-admin.test.ts",
  "test/e2e/drills-restart.test.ts",
  "test/e2e/drills.test.ts",
  "test/control/cli-rollout.test.ts",
  "test/control/cli-shadow.test.ts",
  "test/control/stack/stack-guards.test.ts",
  "test/control/cli-validate-byo.test.ts",
  "test/dashboard/dashboard.test.ts",
  "test/e2e/edge-hardening.test.ts",
  "test/model-server/shutdown.test.ts",
  "test/model-server/startup.test.ts",
  "test/control/router-container.test.ts",
  "test/model-server/container.test.ts",
  "test/control/stack/local-router.test.ts",
];

/** The workerd project's files come right after the long ones: its workerd starts while they run, not at the end. */
const WORKERD_PROJECT = "workerd";

function rank(spec: TestSpecification): number {
  const i = LONG_FILES.findIndex((file) => spec.moduleId.endsWith(`/${file}`));
  if (i !== -1) return i;
  return spec.project.name === WORKERD_PROJECT ? LONG_FILES.length : LONG_FILES.length + 1;
}

/** Starts LONG_FILES first, in their order, then the workerd files, then everything else, each in vitest's order. */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return sorted
      .map((spec, i) => ({ spec, i }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.i - b.i)
      .map(({ spec }) => spec);
  }
}
