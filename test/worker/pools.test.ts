// Covers worker/src/pools.ts: round robin inside a colour's pool and passive
// health (an origin that failed is skipped for ORIGIN_FAIL_TIMEOUT_MS) —
// through the router with recorder origins and a dead port, and PoolSet's
// rules directly.
import { describe, expect, it } from "vitest";
import { ORIGIN_FAIL_TIMEOUT_MS, PoolSet } from "../../worker/src/pools.js";
import { newIsolate, origins, predictRequest, recorded, sendSettled, testEnv } from "./helpers.js";

describe("through the router", () => {
  it("spreads a pool's traffic round robin", async () => {
    const testId = crypto.randomUUID();
    const e = testEnv({ BLUE_ORIGINS: `${origins.TEST_RECORDER_A},${origins.TEST_RECORDER_B}` });
    const router = newIsolate();
    const served: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await sendSettled(router, e, predictRequest("fine", { "x-test-id": testId }));
      served.push(res.headers.get("x-origin-name") ?? "?");
    }
    expect(served).toEqual(["recorder-a", "recorder-b", "recorder-a", "recorder-b", "recorder-a", "recorder-b"]);
    expect(await recorded(origins.TEST_RECORDER_A, testId)).toHaveLength(3);
  });

  it("skips an origin that failed: after one connect error, all traffic goes to the live origin", async () => {
    const testId = crypto.randomUUID();
    const e = testEnv({ BLUE_ORIGINS: `${origins.TEST_DEAD_ORIGIN},${origins.TEST_RECORDER_A}`, FAILOVER: "off" });
    const router = newIsolate();
    const first = await sendSettled(router, e, predictRequest("fine", { "x-test-id": testId }));
    expect(first.status).toBe(502);
    await first.body?.cancel();
    for (let i = 0; i < 5; i++) {
      const res = await sendSettled(router, e, predictRequest("fine", { "x-test-id": testId }));
      expect(res.status).toBe(200);
      await res.body?.cancel();
    }
    expect(await recorded(origins.TEST_RECORDER_A, testId)).toHaveLength(5);
  });

  it("an origin answering 5xx is skipped too", async () => {
    const testId = crypto.randomUUID();
    const e = testEnv({ BLUE_ORIGINS: `${origins.TEST_RECORDER_A},${origins.TEST_RECORDER_B}`, FAILOVER: "off" });
    const router = newIsolate();
    const bad = await sendSettled(router, e, predictRequest("fine", { "x-test-id": testId, "x-test-status": "503" }));
    expect(bad.status).toBe(503);
    await bad.body?.cancel();
    for (let i = 0; i < 3; i++) {
      const res = await sendSettled(router, e, predictRequest("fine", { "x-test-id": testId }));
      expect(res.headers.get("x-origin-name")).toBe("recorder-b");
      await res.body?.cancel();
    }
  });
});

describe("PoolSet", () => {
  const pool = ["http://a", "http://b", "http://c"];

  it("rotates through the pool", () => {
    const set = new PoolSet();
    expect([0, 1, 2, 3].map(() => set.pick(pool, 0))).toEqual(["http://a", "http://b", "http://c", "http://a"]);
  });

  it("skips a failed origin until its fail timeout has passed", () => {
    const set = new PoolSet();
    set.markFailed("http://b", 1_000);
    expect([0, 1, 2].map(() => set.pick(pool, 1_000))).toEqual(["http://a", "http://c", "http://a"]);
    expect(set.available(pool, 1_000)).toBe(true);
    const later = 1_000 + ORIGIN_FAIL_TIMEOUT_MS;
    expect([0, 1, 2].map(() => set.pick(pool, later))).toContain("http://b");
  });

  it("when every origin is cooling down, uses the one that recovers first", () => {
    const set = new PoolSet();
    set.markFailed("http://a", 3_000);
    set.markFailed("http://b", 1_000);
    set.markFailed("http://c", 2_000);
    expect(set.available(pool, 3_000)).toBe(false);
    expect(set.pick(pool, 3_000)).toBe("http://b");
  });

  it("an answer ends an origin's cool-down", () => {
    const set = new PoolSet();
    set.markFailed("http://a", 0);
    set.markOk("http://a");
    expect(set.cooling("http://a", 1)).toBe(false);
  });
});
