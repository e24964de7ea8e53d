// The two long rollback drills (docs/drills.md (b)), same setup as
// rollback-drills.test.ts — real model servers on loopback, the real router
// in local workerd with the default policy, 50 predictions a second over
// real HTTP — run concurrently (each with its own green and router) so they
// take about two minutes together: a green that serves healthy traffic for
// 60 s and then fails 10% of requests is rolled back within 10 s of the
// failure's start (a cumulative error rate, the seed's monitor, is still
// under 5% then); a green with a steady 1% error rate is never rolled back
// over 2 minutes. Users see no error in either (failover).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, setFault, startLoad, summarize, waitUntil, type Sample } from "../helpers/drill.js";
import { type ModelServerHandle, startModelServer } from "../helpers/model-server.js";
import { type RouterHandle, startRouter } from "../helpers/router.js";

const ORIGIN_TOKEN = "drill-origin-token-7a2f";
const RPS = 50;

let blue: ModelServerHandle;
let lateGreen: ModelServerHandle;
let steadyGreen: ModelServerHandle;
const routers: RouterHandle[] = [];

beforeAll(async () => {
  [blue, lateGreen, steadyGreen] = await Promise.all([
    startModelServer({ version: "v1", env: { ORIGIN_TOKEN } }),
    startModelServer({ version: "v2", env: { ORIGIN_TOKEN, FAULT_CONTROL: "1" } }),
    startModelServer({ version: "v2", env: { ORIGIN_TOKEN, FAULT_CONTROL: "1" } }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all(routers.map((r) => r.stop()));
  await Promise.all([blue?.stop(), lateGreen?.stop(), steadyGreen?.stop()]);
});

async function newRouter(green: ModelServerHandle): Promise<RouterHandle> {
  // A bake longer than the drill: green stays guarded (baking) the whole time.
  const r = await startRouter({ blueOrigins: [blue.url], greenOrigins: [green.url], originToken: ORIGIN_TOKEN, vars: { BAKE_SECONDS: "600" } });
  routers.push(r);
  return r;
}

const pause = (ms: number) => new Promise((res) => setTimeout(res, ms));

describe.concurrent("long rollback drills at 50 req/s", () => {
  it("a green healthy for 60 s that then fails 10% of requests is rolled back within 10 s of the failure's start", async () => {
    const r = await newRouter(lateGreen);
    await admin(r, "POST", "/admin/flip", { to: "green", reason: "drill: late 10% failure" });
    const load = startLoad(r.url, { perSecond: RPS, maxDurationMs: 120_000 });
    let samples: Sample[];
    let failFrom = 0;
    let rollback: any;
    try {
      await pause(60_000);
      expect(await admin(r, "GET", "/admin/status")).toMatchObject({ active: "green", phase: "baking", verdict: { verdict: "healthy" } });
      failFrom = Date.now();
      await setFault(lateGreen.url, ORIGIN_TOKEN, { rate: 0.1 });
      await waitUntil("the automatic rollback", async () => ((await admin(r, "GET", "/admin/status")).phase === "rolled_back" ? true : undefined), 30_000, 200);
      rollback = (await admin(r, "GET", "/admin/history")).entries[0];
      await pause(2_000);
    } finally {
      samples = await load.stop();
    }
    const seen = summarize(samples);
    expect(seen.non200).toBe(0);
    expect(rollback).toMatchObject({ kind: "auto", action: "rollback", from: "green", to: "blue", epoch: 3 });
    const rollbackAt = Date.parse(rollback.at);
    const firstFailure = samples.find((s) => s.failover === "blue" && s.sentAt >= failFrom)!;
    // What the seed's cumulative rate saw at that moment: every green attempt since the flip.
    const sinceFlip = samples.filter((s) => s.sentAt <= rollbackAt && s.epoch === 2);
    const cumulative = sinceFlip.filter((s) => s.failover !== null).length / sinceFlip.length;
    console.log(
      `drill 10% after 60 s healthy: rollback decided ${rollbackAt - failFrom} ms after the failure started ` +
        `(${rollbackAt - firstFailure.sentAt} ms after the first failed request): ${rollback.reason}; ` +
        `cumulative error rate since the flip then ${(cumulative * 100).toFixed(2)}% of ${sinceFlip.length}; ` +
        `${seen.total} requests, ${seen.failovers} served by failover, ${seen.non200} errors`,
    );
    expect(rollbackAt - failFrom).toBeLessThanOrEqual(10_000);
    expect(cumulative).toBeLessThan(0.05);
  }, 150_000);

  it("a green with a steady 1% error rate is never rolled back over 2 minutes", async () => {
    const r = await newRouter(steadyGreen);
    await setFault(steadyGreen.url, ORIGIN_TOKEN, { rate: 0.01 });
    await admin(r, "POST", "/admin/flip", { to: "green", reason: "drill: steady 1%" });
    const load = startLoad(r.url, { perSecond: RPS, maxDurationMs: 150_000 });
    let samples: Sample[];
    const verdicts = new Map<string, number>();
    try {
      // Watch the verdict every 2 s for 2 minutes.
      for (let i = 0; i < 60; i++) {
        await pause(2_000);
        const status = await admin(r, "GET", "/admin/status");
        expect(status, `after ${(i + 1) * 2} s`).toMatchObject({ active: "green", epoch: 2, phase: "baking" });
        verdicts.set(status.verdict?.verdict ?? "none", (verdicts.get(status.verdict?.verdict ?? "none") ?? 0) + 1);
      }
    } finally {
      samples = await load.stop();
    }
    const seen = summarize(samples);
    console.log(`drill steady 1%: ${seen.total} requests in 120 s, ${seen.failovers} served by failover, ${seen.non200} errors; verdicts seen ${JSON.stringify(Object.fromEntries(verdicts))}`);
    expect(seen.non200).toBe(0);
    expect(seen.total).toBeGreaterThanOrEqual(RPS * 115);
    // The faults were real: about 1% of green's answers failed (and were served by blue).
    expect(seen.failovers).toBeGreaterThan(seen.total * 0.004);
    expect(seen.failovers).toBeLessThan(seen.total * 0.025);
    expect(verdicts.get("failed") ?? 0).toBe(0);
    expect((await admin(r, "GET", "/admin/history")).entries).toHaveLength(1);
  }, 180_000);
});
