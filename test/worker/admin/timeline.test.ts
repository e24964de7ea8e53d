// Covers GET /admin/timeline (the dashboard's chart) and the controller's
// timeline: 401 without or with a wrong token; the shape (5-second buckets
// per colour over ?minutes=, default 15) built from real reports, every
// report counted (also between saves); flips and rollbacks as markers;
// ?minutes= validated (400) and other methods 405; the timeline kept in
// storage under `timeline` across an eviction. The controller reads a clock
// the test sets (setControllerClock), so no 5-second bucket turns over
// between a report and the read that checks it.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { TimelineView } from "../../../contract/timeline.js";
import { STORAGE_KEYS } from "../../../worker/src/controller/state-store.js";
import { bucket } from "../controller/builders.js";
import { adminRequest, controller, errorOf, newIsolate, sendSettled, setControllerClock, testEnv } from "../helpers.js";

async function timeline(e: Env, query = "", token?: string | null) {
  return sendSettled(newIsolate(), e, adminRequest("GET", `/admin/timeline${query}`, undefined, token));
}

describe("GET /admin/timeline", () => {
  it("answers 401 without the token or with a wrong one, and shows no data", async () => {
    const e = testEnv();
    const clock = await setControllerClock(e);
    await controller(e).report({ isolateId: "t", buckets: [bucket(clock.second, "blue", { requests: 10 })] });
    for (const token of [null, "wrong-token"]) {
      const res = await timeline(e, "", token);
      expect(res.status).toBe(401);
      const body = await res.text();
      expect(body).not.toContain("requests");
      expect(JSON.parse(body).error.code).toBe("unauthorized");
    }
  });

  it("shows each colour's 5-second buckets over the last 15 minutes, from the isolates' reports", async () => {
    const e = testEnv();
    const clock = await setControllerClock(e);
    const s = clock.second;
    await controller(e).report({ isolateId: "a", buckets: [bucket(s, "blue", { requests: 40, errors: 4, latencyMs: 30 })] });
    await controller(e).report({ isolateId: "b", buckets: [bucket(s, "blue", { requests: 10, errors: 1, latencyMs: 30 }), bucket(s, "green", { requests: 5 })] });
    const res = await timeline(e);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const view = TimelineView.parse(await res.json());
    expect(view).toMatchObject({ bucketSeconds: 5, minutes: 15, markers: [] });
    expect(view.colors.blue).toHaveLength(180);
    expect(view.colors.green).toHaveLength(180);
    const current = view.colors.blue.at(-1)!;
    expect(current).toMatchObject({ requests: 50, errors: 5, errorRate: 0.1 });
    expect(current.p99Ms).toBeGreaterThan(20);
    expect(current.p99Ms).toBeLessThanOrEqual(35);
    expect(view.colors.green.at(-1)).toMatchObject({ requests: 5, errors: 0 });
    expect(Date.parse(view.to) - Date.parse(view.from)).toBeLessThanOrEqual(15 * 60 * 1000);
    // The last bucket is the one holding the clock's second (the clock is 2.5 s into it).
    expect(Date.parse(view.to)).toBeGreaterThanOrEqual(clock.ms);
  });

  it("counts every report, also those between two saves of the timeline", async () => {
    const e = testEnv();
    const clock = await setControllerClock(e);
    for (let i = 0; i < 5; i++) {
      await controller(e).report({ isolateId: `i${i}`, buckets: [bucket(clock.second, "green", { requests: 10, errors: 1 })] });
      clock.ms += 300; // inside the timeline's 5-second save interval: only the first report saves
    }
    const view = TimelineView.parse(await (await timeline(e, "?minutes=1")).json());
    const sum = (key: "requests" | "errors") => view.colors.green.reduce((total, p) => total + p[key], 0);
    expect([sum("requests"), sum("errors")]).toEqual([50, 5]);
  });

  it("marks flips and rollbacks, oldest first", async () => {
    const e = testEnv();
    await controller(e).flip({ to: "green", actor: "alice", reason: "ship v2" });
    await controller(e).rollback({ actor: "bob", reason: "too slow" });
    const view = TimelineView.parse(await (await timeline(e, "?minutes=2")).json());
    expect(view.minutes).toBe(2);
    expect(view.colors.blue).toHaveLength(24);
    expect(view.markers).toMatchObject([
      { action: "flip", kind: "manual", from: "blue", to: "green", epoch: 2, reason: "ship v2", actor: "alice" },
      { action: "rollback", kind: "manual", from: "green", to: "blue", epoch: 3, reason: "too slow", actor: "bob" },
    ]);
  });

  it("validates ?minutes= and allows only GET", async () => {
    const e = testEnv();
    for (const bad of ["0", "16", "2.5", "lots"]) {
      const res = await timeline(e, `?minutes=${bad}`);
      expect(res.status, bad).toBe(400);
      expect((await errorOf(res)).code).toBe("invalid_request");
    }
    const post = await sendSettled(newIsolate(), e, adminRequest("POST", "/admin/timeline", {}));
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET");
  });

  it("is kept in storage under `timeline` and survives an eviction", async () => {
    const e = testEnv();
    const stub = controller(e);
    const clock = await setControllerClock(e);
    await stub.report({ isolateId: "a", buckets: [bucket(clock.second, "green", { requests: 12, errors: 3 })] });
    const stored = await runInDurableObject(stub, (_i, state) => state.storage.kv.get<{ colors: { green: unknown[] } }>(STORAGE_KEYS.timeline));
    expect(stored?.colors.green).toHaveLength(1);
    await evictDurableObject(stub);
    const view = await controller(e).timeline(1);
    expect(view.colors.green.reduce((sum, p) => sum + p.requests, 0)).toBe(12);
  });
});
