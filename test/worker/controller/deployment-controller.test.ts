// Covers worker/src/controller/deployment-controller.ts and state-store.ts
// through the DO's RPC methods: a new deployment starts blue/stable/epoch 1
// and writes KV; flips and rollbacks are stored, written to KV and to the
// history table; probe results change the routing state's health; reports
// land in the windows and are answered with the routing state; storage keys
// are the documented ones (docs/storage.md); the cron handler reconciles KV.
import { createExecutionContext, createScheduledController, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { emptyCounts, latencyBucket } from "../../../contract/telemetry.js";
import { STORAGE_KEYS, HISTORY_TABLE } from "../../../worker/src/controller/state-store.js";
import { routingKvKey } from "../../../worker/src/routing-state.js";
import { controller, newIsolate, testEnv } from "../helpers.js";

async function kvState(deployment: string): Promise<unknown> {
  return JSON.parse((await env.ROUTING.get(routingKvKey(deployment))) ?? "null");
}

describe("DeploymentController", () => {
  it("starts a new deployment blue, stable, epoch 1, health from the first probe, and writes it to KV", async () => {
    const e = testEnv();
    const state = await controller(e).getRoutingState();
    // The first probe runs as the object starts, before it answers (both test origins are up).
    expect(state).toMatchObject({ active: "blue", epoch: 1, phase: "stable", health: { blue: "healthy", green: "healthy" } });
    expect(await kvState(e.DEPLOYMENT_NAME)).toEqual(state);
  });

  it("stores a flip under the documented keys, in the history table and in KV", async () => {
    const e = testEnv();
    const result = await controller(e).flip({ to: "green", actor: "alice", reason: "v2" });
    expect(result.ok).toBe(true);
    expect(await kvState(e.DEPLOYMENT_NAME)).toMatchObject({ active: "green", epoch: 2, phase: "baking" });
    await runInDurableObject(controller(e), (_instance, state) => {
      expect(state.storage.kv.get(STORAGE_KEYS.routing)).toMatchObject({ active: "green", epoch: 2 });
      expect(state.storage.kv.get(STORAGE_KEYS.bake)).toMatchObject({ startedAt: expect.any(Number), endsAt: expect.any(Number) });
      expect(state.storage.kv.get(STORAGE_KEYS.kvWritten)).toMatchObject({ epoch: 2 });
      const rows = state.storage.sql.exec(`SELECT from_color, to_color, epoch, kind, action, actor FROM ${HISTORY_TABLE}`).toArray();
      expect(rows).toEqual([{ from_color: "blue", to_color: "green", epoch: 2, kind: "manual", action: "flip", actor: "alice" }]);
    });
  });

  it("keeps state across an eviction (it is in storage, not memory)", async () => {
    const e = testEnv();
    await controller(e).flip({ to: "green", actor: "a" });
    await runInDurableObject(controller(e), (_i, state) => state.storage.kv.get(STORAGE_KEYS.routing)); // make sure it is running
    const { evictDurableObject } = await import("cloudflare:test");
    await evictDurableObject(controller(e));
    expect(await controller(e).getRoutingState()).toMatchObject({ active: "green", epoch: 2 });
    expect(await controller(e).history(5)).toHaveLength(1);
  });

  it("serializes flips: of two concurrent flips with the same expectedEpoch, one is refused", async () => {
    const e = testEnv();
    const [a, b] = await Promise.all([
      controller(e).flip({ to: "green", actor: "a", expectedEpoch: 1 }),
      controller(e).flip({ to: "green", actor: "b", expectedEpoch: 1 }),
    ]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
  });

  it("records probes: a failed one marks the colour unhealthy in the routing state and KV", async () => {
    const e = testEnv();
    const before = await controller(e).getRoutingState();
    const after = await controller(e).recordProbe("green", { ok: false, at: Date.now(), error: "HTTP 503" });
    expect(after.health.green).toBe("unhealthy");
    expect(after.epoch).toBe(before.epoch);
    expect(after.updatedAt).toBeGreaterThan(before.updatedAt);
    expect(await kvState(e.DEPLOYMENT_NAME)).toMatchObject({ health: { green: "unhealthy" } });
    const again = await controller(e).recordProbe("green", { ok: true, at: Date.now(), version: "v2" });
    expect(again.health.green).toBe("healthy");
    expect((await controller(e).status()).health.green).toMatchObject({ status: "healthy", version: "v2" });
  });

  it("counts reports into its windows and answers each with the routing state", async () => {
    const e = testEnv();
    const counts = emptyCounts();
    counts.requests = 10;
    counts.errors.http5xx = 2;
    counts.latency[latencyBucket(30)] = 10;
    const second = Math.floor(Date.now() / 1000);
    const answer = await controller(e).report({ isolateId: "test", buckets: [{ second, color: "green", counts }] });
    expect(answer).toMatchObject({ active: "blue", epoch: 1 });
    const status = await controller(e).status();
    expect(status.metrics.green.fast).toMatchObject({ requests: 10, errorRate: 0.2, errors: { http5xx: 2, total: 2 } });
    expect(status.metrics.green.fast.p50Ms).toBeGreaterThan(20);
    expect(status.metrics.blue.fast.requests).toBe(0);
  });

  it("drops malformed buckets but keeps the good ones of a report", async () => {
    const e = testEnv();
    const good = { second: Math.floor(Date.now() / 1000), color: "blue" as const, counts: { ...emptyCounts(), requests: 1 } };
    const bad = { second: good.second, color: "blue" as const, counts: { ...emptyCounts(), latency: [1] } };
    await controller(e).report({ isolateId: "test", buckets: [good, bad] });
    expect((await controller(e).status()).metrics.blue.fast.requests).toBe(1);
  });

  it("rejects an invalid command at the RPC boundary", async () => {
    const e = testEnv();
    let thrown: unknown = null;
    try {
      await controller(e).flip({ to: "purple" as "green", actor: "a" });
    } catch (err) {
      thrown = err;
    }
    expect(String(thrown)).toMatch(/TypeError: invalid flip command:.*to/s);
    expect((await controller(e).getRoutingState()).epoch).toBe(1);
  });

  it("the cron handler lets the controller rewrite a KV copy that fell behind", async () => {
    const e = testEnv();
    await controller(e).flip({ to: "green", actor: "a" });
    // Simulate a failed KV write: KV holds an older state and the marker says so.
    await env.ROUTING.put(routingKvKey(e.DEPLOYMENT_NAME), JSON.stringify({ stale: true }));
    await runInDurableObject(controller(e), (_i, state) => state.storage.kv.delete(STORAGE_KEYS.kvWritten));
    const ctx = createExecutionContext();
    newIsolate().scheduled(createScheduledController({ cron: "* * * * *" }), e, ctx);
    await waitOnExecutionContext(ctx);
    expect(await kvState(e.DEPLOYMENT_NAME)).toMatchObject({ active: "green", epoch: 2 });
  });
});
