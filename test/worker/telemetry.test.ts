// Covers worker/src/telemetry.ts and the controller traffic of
// controller-link.ts: with N predictions served against real model servers,
// the controller is called at most N/50 + (elapsed seconds + 1) times and KV
// read at most once (one isolate, under a minute) — counted by wrapping the
// DEPLOYMENTS and ROUTING bindings, with the production REPORT_INTERVAL_MS —
// with and without errors; every outcome reaches the controller's windows,
// the last ones by the trailing flush, with no extra call. The pure sync
// rule, the trailing flush's wait and the buffer: telemetry.pure.test.ts.
import { describe, expect, it } from "vitest";
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
