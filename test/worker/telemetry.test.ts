// Covers worker/src/telemetry.ts and the controller traffic of
// controller-link.ts: with N predictions served against real model servers,
// the controller is called at most N/50 + (elapsed seconds + 1) times and KV
// read at most once (one isolate, under a minute) — counted by wrapping the
// DEPLOYMENTS and ROUTING bindings, with the production REPORT_INTERVAL_MS —
// with and without errors; every outcome reaches the controller's windows,
// the last ones by the trailing flush, with no extra call; and the pure sync
// rule, the trailing flush's wait and the buffer.
import { describe, expect, it } from "vitest";
import { emptyCounts, latencyBucket } from "../../contract/telemetry.js";
import { EARLY_FLUSH_ERRORS, EARLY_FLUSH_MIN_GAP_MS, EARLY_FLUSH_SERVED, MAX_BUFFER_AGE_MS, TelemetryBuffer, syncReason, trailingWaitMs } from "../../worker/src/telemetry.js";
import { controller, countingEnv, flipStable, newIsolate, origins, predictRequest, send, testEnv, totalCalls, type Router } from "./helpers.js";

const CONCURRENCY = 10;

/** Serves `n` predictions through `router` with CONCURRENCY in flight; answers statuses and the elapsed seconds. */
async function serve(router: Router, e: Env, n: number): Promise<{ statuses: number[]; elapsedSeconds: number }> {
  const started = Date.now();
  const statuses: number[] = [];
  const background: Promise<void>[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        next += 1;
        const sent = await send(router, e, predictRequest(`request ${next} was good`));
        statuses.push(sent.res.status);
        await sent.res.body?.cancel();
        background.push(sent.settle());
      }
    }),
  );
  await Promise.all(background);
  return { statuses, elapsedSeconds: (Date.now() - started) / 1000 };
}

describe("controller and KV traffic per N predictions", () => {
  it("healthy traffic: ≤ N/50 + elapsed s + 1 controller calls, ≤ 1 KV read, every outcome reported", async () => {
    const base = testEnv({ REPORT_INTERVAL_MS: "1000" });
    const { env: e, counts } = countingEnv(base);
    const router = newIsolate();
    const n = 600;
    const { statuses, elapsedSeconds } = await serve(router, e, n);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const calls = totalCalls(counts);
    console.log(`healthy: ${n} predictions in ${elapsedSeconds.toFixed(2)} s → ${calls} controller calls ${JSON.stringify(counts.controllerCalls)}, ${counts.kvReads} KV reads`);
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(n / 50 + elapsedSeconds + 1);
    expect(counts.kvReads).toBeLessThanOrEqual(1);

    // The trailing flush (waited for with the requests' background work) reported the last outcomes.
    const status = await controller(base).status();
    expect(status.metrics.blue.slow.requests).toBe(n);
    expect(status.metrics.blue.slow.errors.total).toBe(0);
  }, 30_000);

  it("every request failing over: errors flush early, still ≤ N/50 + elapsed s + 1 calls", async () => {
    const base = testEnv({ GREEN_ORIGINS: origins.TEST_DEAD_ORIGIN, REPORT_INTERVAL_MS: "1000" });
    // Stable, not baking: a baking green failing every request would be rolled back after a few reports.
    await flipStable(base, "green");
    const { env: e, counts } = countingEnv(base);
    const router = newIsolate();
    const n = 300;
    const { statuses, elapsedSeconds } = await serve(router, e, n);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const calls = totalCalls(counts);
    console.log(`failing over: ${n} predictions in ${elapsedSeconds.toFixed(2)} s → ${calls} controller calls ${JSON.stringify(counts.controllerCalls)}, ${counts.kvReads} KV reads`);
    expect(calls).toBeLessThanOrEqual(n / 50 + elapsedSeconds + 1);
    expect(counts.kvReads).toBeLessThanOrEqual(1);

    const status = await controller(base).status();
    expect(status.metrics.green.slow.requests).toBe(n);
    expect(status.metrics.green.slow.errors.connect).toBe(n);
    expect(status.metrics.blue.slow.requests).toBe(n);
  }, 30_000);
});

describe("syncReason", () => {
  const clock = { nowMs: 10_000, lastSyncAtMs: 9_500, flagTtlMs: 1_000, reportIntervalMs: 1_000 };

  it("refreshes once the state is older than FLAG_TTL_MS", () => {
    expect(syncReason({ ...clock, lastSyncAtMs: 9_000 }, new TelemetryBuffer())).toBe("refresh");
    expect(syncReason(clock, new TelemetryBuffer())).toBeNull();
  });

  it("reports pending outcomes at most every REPORT_INTERVAL_MS", () => {
    const buffer = new TelemetryBuffer();
    buffer.record({ color: "blue", latencyMs: 3, error: null }, clock.nowMs);
    expect(syncReason(clock, buffer)).toBeNull();
    expect(syncReason({ ...clock, flagTtlMs: 60_000, lastSyncAtMs: 9_000 }, buffer)).toBe("report");
  });

  it(`reports errors early, once ${EARLY_FLUSH_SERVED} requests were served since the last sync`, () => {
    const buffer = new TelemetryBuffer();
    buffer.record({ color: "green", latencyMs: 3, error: "http5xx" }, clock.nowMs);
    for (let i = 0; i < EARLY_FLUSH_SERVED - 1; i++) buffer.noteServed();
    expect(syncReason(clock, buffer)).toBeNull();
    buffer.noteServed();
    expect(syncReason(clock, buffer)).toBe("errors");
  });

  it(`reports early once ${EARLY_FLUSH_ERRORS} failures are pending, but not within ${EARLY_FLUSH_MIN_GAP_MS} ms of the last sync`, () => {
    const buffer = new TelemetryBuffer();
    const justSynced = { ...clock, lastSyncAtMs: clock.nowMs - EARLY_FLUSH_MIN_GAP_MS + 1 };
    const gapPassed = { ...clock, lastSyncAtMs: clock.nowMs - EARLY_FLUSH_MIN_GAP_MS };
    for (let i = 0; i < EARLY_FLUSH_ERRORS - 1; i++) buffer.record({ color: "green", latencyMs: 3, error: "http5xx" }, clock.nowMs);
    expect(syncReason(gapPassed, buffer)).toBeNull();
    buffer.record({ color: "green", latencyMs: 3, error: "connect" }, clock.nowMs);
    expect(syncReason(justSynced, buffer)).toBeNull();
    expect(syncReason(gapPassed, buffer)).toBe("errors");
  });
});

describe("trailingWaitMs", () => {
  const clock = { nowMs: 10_000, lastSyncAtMs: 9_700, flagTtlMs: 1_000, reportIntervalMs: 1_000, retryAtMs: 0 };

  it("waits until the next request would have synced (report or refresh due), not longer", () => {
    expect(trailingWaitMs(clock, 20_000)).toBe(700);
    expect(trailingWaitMs({ ...clock, lastSyncAtMs: 8_000 }, 20_000)).toBe(0);
    expect(trailingWaitMs({ ...clock, reportIntervalMs: 0 }, 20_000)).toBe(0);
    expect(trailingWaitMs({ ...clock, reportIntervalMs: 60_000, flagTtlMs: 500 }, 20_000)).toBe(200);
  });

  it("respects the retry back-off after a failed sync, and the cap", () => {
    expect(trailingWaitMs({ ...clock, lastSyncAtMs: 0, retryAtMs: 10_400 }, 20_000)).toBe(400);
    expect(trailingWaitMs({ ...clock, reportIntervalMs: 3_600_000, flagTtlMs: 3_600_000 }, 20_000)).toBe(20_000);
  });
});

describe("TelemetryBuffer", () => {
  it("counts per second and colour: requests, errors by class, latency histogram", () => {
    const buffer = new TelemetryBuffer();
    buffer.record({ color: "green", latencyMs: 7, error: null }, 5_100);
    buffer.record({ color: "green", latencyMs: 40_000, error: "timeout" }, 5_900);
    buffer.record({ color: "blue", latencyMs: 1, error: null }, 6_000);
    const batch = buffer.take();
    const green = emptyCounts();
    green.requests = 2;
    green.errors.timeout = 1;
    green.latency[latencyBucket(7)] = 1;
    green.latency[latencyBucket(40_000)] = 1;
    expect(batch.buckets).toContainEqual({ second: 5, color: "green", counts: green });
    expect(batch.buckets).toHaveLength(2);
    expect(batch.errors).toBe(1);
    expect(buffer.pending).toBe(false);
  });

  it("gives a failed batch back, minus seconds older than MAX_BUFFER_AGE_MS", () => {
    const buffer = new TelemetryBuffer();
    buffer.record({ color: "blue", latencyMs: 1, error: "connect" }, 1_000);
    buffer.record({ color: "blue", latencyMs: 1, error: null }, MAX_BUFFER_AGE_MS + 5_000);
    buffer.noteServed();
    const batch = buffer.take();
    buffer.restore(batch, MAX_BUFFER_AGE_MS + 5_000);
    const again = buffer.take();
    expect(again.buckets.map((b) => b.second)).toEqual([Math.floor((MAX_BUFFER_AGE_MS + 5_000) / 1000)]);
    expect(again.served).toBe(1);
  });
});
