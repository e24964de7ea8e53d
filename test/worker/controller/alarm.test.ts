// Covers the DeploymentController's alarm and what survives it: the first
// probe run as the object first starts (before it answers anything) and the
// alarm armed one interval later; each run probing every origin's
// /health (real model servers: status, version, digest, latency per origin)
// and re-arming HEALTH_INTERVAL_SECONDS later, or at the bake's end when
// that is sooner; a retried run (isRetry) doing the same work again without
// changing anything twice; the cron handler re-arming a missing alarm and
// leaving a set one alone; metric windows, verdict and arming kept across a
// new object instance (eviction), the alarm saving what reports left unsaved.
// The workerd test env sets HEALTH_INTERVAL_SECONDS=3600 (vitest.config.ts),
// so alarms run only when a test runs them.
import {
  createExecutionContext,
  createScheduledController,
  evictDurableObject,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { policyFromEnv } from "../../../contract/policy.js";
import type { DeploymentController } from "../../../worker/src/controller/deployment-controller.js";
import { routingKvKey } from "../../../worker/src/routing-state.js";
import { controller, flipDirect, newIsolate, origins, setControllerClock, testEnv, waitFor } from "../helpers.js";
import { bucket } from "./builders.js";

/** The policy of the env this pool gives the Worker (wrangler.toml, vitest.config.ts's bindings, the defaults). */
const POLICY = policyFromEnv(env);
const INTERVAL_MS = POLICY.healthIntervalSeconds * 1000;

function alarmAt(e: Env): Promise<number | null> {
  return runInDurableObject(controller(e), (_i, state) => state.storage.getAlarm());
}

function second(): number {
  return Math.floor(Date.now() / 1000);
}

describe("alarm schedule", () => {
  it("on first start probes every origin at once, before its first answer, and arms the next probe one interval later", async () => {
    const e = testEnv();
    const before = Date.now();
    // No alarm has run (HEALTH_INTERVAL_SECONDS is an hour here): the first answer already knows both colours' health.
    const status = await controller(e).status();
    expect(status.state.health).toEqual({ blue: "healthy", green: "healthy" });
    for (const [color, version] of [["blue", "v1"], ["green", "v2"]] as const) {
      expect(status.health[color]).toMatchObject({ status: "healthy", version });
      expect(Date.parse(status.health[color].checkedAt!)).toBeGreaterThanOrEqual(before);
    }
    const at = await alarmAt(e);
    expect(at).toBeGreaterThanOrEqual(before + INTERVAL_MS);
    expect(at).toBeLessThanOrEqual(Date.now() + INTERVAL_MS);
  });

  it("a restarted object with its alarm set does not probe again at start", async () => {
    const e = testEnv();
    const first = (await controller(e).status()).health.blue.checkedAt;
    await evictDurableObject(controller(e));
    expect((await controller(e).status()).health.blue.checkedAt).toBe(first);
  });

  it("probes every origin's /health and records status, version, digest and latency", async () => {
    const e = testEnv();
    const before = await controller(e).getRoutingState();
    expect(await runDurableObjectAlarm(controller(e))).toBe(true);
    const status = await controller(e).status();
    for (const [color, version, url] of [
      ["blue", "v1", origins.BLUE_ORIGINS],
      ["green", "v2", origins.GREEN_ORIGINS],
    ] as const) {
      const h = status.health[color];
      expect(h).toMatchObject({ status: "healthy", version, error: null });
      expect(h.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(h.latencyMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(h.checkedAt!)).toBeGreaterThanOrEqual(before.updatedAt);
      expect(h.origins).toEqual([expect.objectContaining({ url, ok: true, status: 200, version })]);
    }
    // The health change is in the routing state and its KV copy.
    expect(status.state.health).toEqual({ blue: "healthy", green: "healthy" });
    expect(JSON.parse((await env.ROUTING.get(routingKvKey(e.DEPLOYMENT_NAME)))!)).toMatchObject({ health: { blue: "healthy", green: "healthy" } });
  });

  it("re-arms HEALTH_INTERVAL_SECONDS later, or at the bake's end when that comes first", async () => {
    const e = testEnv();
    await controller(e).getRoutingState();
    const ran = Date.now();
    await runDurableObjectAlarm(controller(e));
    expect(await alarmAt(e)).toBeGreaterThanOrEqual(ran + INTERVAL_MS);

    await flipDirect(e, "green");
    const { bake } = await controller(e).status();
    expect(POLICY.bakeSeconds * 1000).toBeLessThan(INTERVAL_MS);
    expect(await alarmAt(e)).toBe(Date.parse(bake!.endsAt));
    // Run early, before the bake is over: the next alarm is still the bake's end.
    await runDurableObjectAlarm(controller(e));
    expect(await alarmAt(e)).toBe(Date.parse(bake!.endsAt));
  });

  it("a retried alarm (isRetry) does the same work again, changes nothing twice and re-arms", async () => {
    const e = testEnv();
    await runDurableObjectAlarm(controller(e));
    const first = await controller(e).getRoutingState();
    await runInDurableObject(controller(e), async (instance: DeploymentController, state) => {
      await state.storage.deleteAlarm();
      await instance.alarm({ isRetry: true, retryCount: 1, scheduledTime: Date.now() });
    });
    const again = await controller(e).status();
    expect(again.state).toEqual(first);
    expect(Date.parse(again.health.blue.checkedAt!)).toBeGreaterThanOrEqual(first.updatedAt);
    expect(await alarmAt(e)).toBeGreaterThan(Date.now() + INTERVAL_MS - 5_000);
  });
});

describe("cron", () => {
  async function runCron(e: Env): Promise<void> {
    const ctx = createExecutionContext();
    newIsolate().scheduled(createScheduledController({ cron: "* * * * *" }), e, ctx);
    await waitOnExecutionContext(ctx);
  }

  it("re-arms a missing alarm at once: it probes right away and arms the next", async () => {
    const e = testEnv();
    await runInDurableObject(controller(e), (_i, state) => state.storage.deleteAlarm());
    expect(await alarmAt(e)).toBeNull();
    const before = (await controller(e).status()).health.blue.checkedAt!;
    await runCron(e);
    await waitFor("the re-armed alarm to probe", async () => {
      const checked = (await controller(e).status()).health.blue.checkedAt!;
      return checked > before ? checked : undefined;
    });
    const next = await waitFor("the next alarm", async () => (await alarmAt(e)) ?? undefined);
    expect(next).toBeGreaterThan(Date.now() + INTERVAL_MS - 5_000);
  });

  it("leaves an alarm that is set alone", async () => {
    const e = testEnv();
    const set = await alarmAt(e);
    await runCron(e);
    expect(await alarmAt(e)).toBe(set);
  });
});

describe("persistence across a new object instance", () => {
  it("keeps the windows, the last verdict and the arming after an eviction", async () => {
    const e = testEnv();
    const clock = await setControllerClock(e);
    await flipDirect(e, "green");
    // More than a second after any earlier save of the windows (the first probe's alarm may have
    // saved them), so the report's own save is not throttled: the throttle is the next test's.
    clock.ms += 1_100;
    await controller(e).report({ isolateId: "t", buckets: [bucket(clock.second, "green", { requests: 40, errors: 20 })] });
    await evictDurableObject(controller(e));
    // The new instance on the same test clock: on the real one, the report's second (the test clock
    // runs up to 1.1 s ahead of it) could still be in the future, outside every window.
    await setControllerClock(e, clock.ms);
    const status = await controller(e).status();
    expect(status.state).toMatchObject({ active: "blue", phase: "rolled_back" });
    expect(status.metrics.green.fast).toMatchObject({ requests: 40, errors: { total: 20 } });
    expect(status.verdict).toMatchObject({ color: "green", verdict: "failed", action: "rollback", window: "fast" });
    expect(status.autoRollbackArmed).toBe(false);
    expect(await controller(e).history(5)).toHaveLength(2);
  });

  it("reports save the windows at most once a second; the alarm saves the rest", async () => {
    const e = testEnv();
    const clock = await setControllerClock(e);
    const report = (requests: number, at = second()) => controller(e).report({ isolateId: "t", buckets: [bucket(at, "blue", { requests })] });
    await report(10, clock.second);
    clock.ms += 999; // less than a second since the first report saved
    await report(5, clock.second);
    // The evicted object's successor reads the system clock again.
    await evictDurableObject(controller(e));
    expect((await controller(e).status()).metrics.blue.slow.requests).toBe(10);

    await report(5);
    await report(7);
    await runDurableObjectAlarm(controller(e));
    await evictDurableObject(controller(e));
    expect((await controller(e).status()).metrics.blue.slow.requests).toBe(22);
  });
});
