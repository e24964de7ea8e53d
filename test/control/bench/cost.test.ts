// Covers control/bench/counting-worker.ts through cost.ts: the same router
// Worker with counting bindings, in local workerd in front of a real model
// server — predictions are served, the cold start costs one KV read and one
// controller call, and steady traffic costs at most one controller call per
// FLAG_TTL_MS, never one per request.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCounters, startCountingRouter } from "../../../control/bench/cost.js";
import type { LocalRouter } from "../../../control/src/stack/local-router.js";
import { type ModelServerHandle, startModelServer } from "../../helpers/model-server.js";

const ORIGIN_TOKEN = "cost-test-origin-token";
let blue: ModelServerHandle;
let router: LocalRouter;

beforeAll(async () => {
  blue = await startModelServer({ version: "v1", env: { ORIGIN_TOKEN } });
  router = await startCountingRouter({ blueOrigins: [blue.url], greenOrigins: [blue.url], adminToken: "cost-test-admin-token", originToken: ORIGIN_TOKEN });
}, 60_000);
afterAll(async () => {
  await router?.stop();
  await blue?.stop();
});

describe("counting router", () => {
  it("serves predictions and counts one KV read and a few controller calls, not one per request", async () => {
    const start = await readCounters(router.url);
    expect(start).toMatchObject({ predictions: 0, kvReads: 0 });
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${router.url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "fine" }) });
      expect(res.status).toBe(200);
      await res.text();
    }
    const end = await readCounters(router.url);
    expect(end.predictions).toBe(100);
    expect(end.kvReads).toBe(1);
    expect(end.doCallsByMethod.reconcile).toBe(1); // the cron run at start
    const syncs = end.doCalls - 1;
    expect(syncs).toBeGreaterThanOrEqual(1);
    expect(syncs).toBeLessThan(10);
  }, 60_000);
});
