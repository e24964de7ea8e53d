// Covers worker/src/telemetry.ts and the sync traffic of controller-link.ts:
// with N predictions served against real model servers, the isolate calls
// its relay at most N/50 + (elapsed seconds + 1) times, the controller never,
// and reads KV at most once (one isolate, under a minute) — counted by
// wrapping the RELAYS, DEPLOYMENTS and ROUTING bindings, with the production
// REPORT_INTERVAL_MS — with and without errors; every outcome reaches the
// controller's windows through the relay, the last ones by the trailing
// flush, with no extra call. The pure sync rule, the trailing flush's wait
// and the buffer: telemetry.pure.test.ts.
import { describe, expect, it } from "vitest";
import { countingEnv, flipStable, newIsolate, origins, predictRequest, send, slowWindowOnce, testEnv, totalCalls, type Counts, type Router } from "./helpers.js";

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

/** The isolate's relay calls. */
function relayCalls(counts: Counts): number {
  return Object.values(counts.relayCalls).reduce((a, b) => a + b, 0);
}

describe("relay, controller and KV traffic per N predictions", () => {
  it("healthy traffic: ≤ N/50 + elapsed s + 1 relay calls, no controller call, ≤ 1 KV read, every outcome reported", async () => {
    const base = testEnv({ REPORT_INTERVAL_MS: "1000" });
    const { env: e, counts } = countingEnv(base);
    const router = newIsolate();
    const n = 600;
    const { statuses, elapsedSeconds } = await serve(router, e, n);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const calls = relayCalls(counts);
    console.log(`healthy: ${n} predictions in ${elapsedSeconds.toFixed(2)} s → ${calls} relay calls ${JSON.stringify(counts.relayCalls)}, ${counts.kvReads} KV reads`);
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(n / 50 + elapsedSeconds + 1);
    expect(totalCalls(counts)).toBe(0);
    expect(counts.kvReads).toBeLessThanOrEqual(1);

    // The trailing flush (waited for with the requests' background work) reported the last outcomes to the relay.
    const slow = await slowWindowOnce(base, "blue", n);
    expect(slow.requests).toBe(n);
    expect(slow.errors.total).toBe(0);
  }, 30_000);

  it("every request failing over: errors flush early, still ≤ N/50 + elapsed s + 1 relay calls", async () => {
    const base = testEnv({ GREEN_ORIGINS: origins.TEST_DEAD_ORIGIN, REPORT_INTERVAL_MS: "1000" });
    // Stable, not baking: a baking green failing every request would be rolled back after a few reports.
    await flipStable(base, "green");
    const { env: e, counts } = countingEnv(base);
    const router = newIsolate();
    const n = 300;
    const { statuses, elapsedSeconds } = await serve(router, e, n);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const calls = relayCalls(counts);
    console.log(`failing over: ${n} predictions in ${elapsedSeconds.toFixed(2)} s → ${calls} relay calls ${JSON.stringify(counts.relayCalls)}, ${counts.kvReads} KV reads`);
    expect(calls).toBeLessThanOrEqual(n / 50 + elapsedSeconds + 1);
    expect(totalCalls(counts)).toBe(0);
    expect(counts.kvReads).toBeLessThanOrEqual(1);

    const green = await slowWindowOnce(base, "green", n);
    expect(green.requests).toBe(n);
    expect(green.errors.connect).toBe(n);
    expect((await slowWindowOnce(base, "blue", n)).requests).toBe(n);
  }, 30_000);
});
