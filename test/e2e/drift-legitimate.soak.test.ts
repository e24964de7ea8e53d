// The legitimate-release soak drill (docs/rollback-policy.md "Prediction
// drift"), run by `npm run test:soak` (test/soak/vitest.config.ts), not by `npm
// test`: it takes three minutes of real time. Real model servers on
// loopback (blue v1, green v2: a legitimate new model, its golden-set label
// mix 0.058 away from v1's), the real router in local workerd with the
// default drift policy and a 3-minute bake, the golden set's texts as
// traffic (seeded draws) at 50 predictions a second: the bake passes, never
// rolled back on drift (or anything else), and every answer is a 200.
import { afterAll, beforeAll, expect, it } from "vitest";
import { readGoldenSet } from "../../model-server/index.js";
import { admin, startLoad, summarize, waitUntil, type Sample } from "../helpers/drill.js";
import { GOLDEN_SET_FILE } from "../helpers/model-artifacts.js";
import { type ModelServerHandle, startModelServer } from "../helpers/model-server.js";
import { type RouterHandle, startRouter } from "../helpers/router.js";

const ORIGIN_TOKEN = "drill-origin-token-50a7";
const BAKE_SECONDS = 180;

let blue: ModelServerHandle;
let green: ModelServerHandle;
let router: RouterHandle;
let texts: string[];

beforeAll(async () => {
  [blue, green] = await Promise.all([startModelServer({ version: "v1", env: { ORIGIN_TOKEN } }), startModelServer({ version: "v2", env: { ORIGIN_TOKEN } })]);
  texts = (await readGoldenSet(GOLDEN_SET_FILE)).map((e) => e.text);
  router = await startRouter({ blueOrigins: [blue.url], greenOrigins: [green.url], originToken: ORIGIN_TOKEN, vars: { BAKE_SECONDS: String(BAKE_SECONDS) } });
}, 60_000);

afterAll(async () => {
  await router?.stop();
  await Promise.all([blue?.stop(), green?.stop()]);
});

it("v1 → v2 at 50 predictions/s is never rolled back during a 3-minute bake", async () => {
  // Blue's baseline from golden-set batches (10,000 predictions in ~20 s: a tenth of what
  // 10 minutes at 50/s would give, so a noisier baseline than the default's, not a kinder one).
  const warm = startLoad(router.url, { perSecond: 50, batch: 10, texts, seed: 41, maxDurationMs: 90_000 });
  try {
    await waitUntil("10,000 predictions on blue", async () => ((await admin(router, "GET", "/admin/status")).colors.blue.predictions.slow.predictions >= 10_000 ? true : undefined), 60_000, 500);
  } finally {
    await warm.stop();
  }
  const load = startLoad(router.url, { perSecond: 50, texts, seed: 42, maxDurationMs: (BAKE_SECONDS + 30) * 1000 });
  let samples: Sample[];
  const verdicts = new Set<string>();
  try {
    const flip = await admin(router, "POST", "/admin/flip", { to: "green", reason: "drill: legitimate release v1 → v2" });
    expect(flip.state).toMatchObject({ active: "green", epoch: 2, phase: "baking" });
    await waitUntil(
      "the end of the bake",
      async () => {
        const s = await admin(router, "GET", "/admin/status");
        verdicts.add(s.drift.verdict);
        return s.phase === "baking" ? undefined : s;
      },
      (BAKE_SECONDS + 20) * 1000,
      1_000,
    );
  } finally {
    samples = await load.stop();
  }
  const status = await admin(router, "GET", "/admin/status");
  const { entries } = await admin(router, "GET", "/admin/history");
  console.log(
    `drift soak v1 → v2: bake ended in phase ${status.phase}; drift verdicts seen ${[...verdicts].join(", ")}; ` +
      `baseline ${entries.at(-1)?.metrics?.baselinePredictions} predictions (${entries.at(-1)?.metrics?.baselineShares}); ${samples.length} requests`,
  );
  expect(entries.map((e: any) => `${e.kind} ${e.action}`)).not.toContain("auto rollback");
  expect(status).toMatchObject({ active: "green", epoch: 2, phase: "stable" });
  expect(verdicts.has("healthy")).toBe(true);
  expect(verdicts.has("failed")).toBe(false);
  expect(summarize(samples).non200).toBe(0);
}, (BAKE_SECONDS + 150) * 1000);
