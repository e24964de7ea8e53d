// Covers the older stored shapes found in the code's history, on a real
// DeploymentController: each is written into storage, then whichever call
// comes next (status, report, alarm, flip, rollback, history) answers
// normally and leaves the value in today's shape, and every call works
// afterwards. The shapes (docs/storage.md "Migrations"):
//   - `routing` without `health` (the first version): health from the stored
//     probes, updatedAt moved on so the KV copy is rewritten with it;
//   - `probe:<colour>` of the first version, without latencyMs/origins;
//   - history rows of the first version, metrics NULL for manual changes.
// None of them is a repair: no history row, no warning.
import { evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import type { RoutingState } from "../../../contract/routing.js";
import { HISTORY_TABLE, STORAGE_KEYS } from "../../../worker/src/controller/state-store.js";
import { routingKvKey } from "../../../worker/src/routing-state.js";
import { controller, flipDirect, testEnv } from "../helpers.js";
import { bucket } from "./builders.js";
import { everyCallWorks, repairs, seed, storedValue } from "./stored-state.js";

/** The next call, made first after the old shape is written; each must answer normally. */
const NEXT_CALLS: Record<string, (e: Env) => Promise<unknown>> = {
  status: (e) => controller(e).status(),
  report: (e) => controller(e).report({ isolateId: "t", buckets: [bucket(Math.floor(Date.now() / 1000), "green", { requests: 3 })] }),
  alarm: async (e) => expect(await runDurableObjectAlarm(controller(e))).toBe(true),
  flip: async (e) => expect(await controller(e).flip({ to: "blue", actor: "t", force: true })).toMatchObject({ ok: true }),
  rollback: async (e) => expect(await controller(e).rollback({ actor: "t", force: true })).toMatchObject({ ok: true }),
  history: (e) => controller(e).history(10),
};

let warn: MockInstance;
beforeEach(() => {
  warn = vi.spyOn(console, "warn");
});
afterEach(() => warn.mockRestore());

/** A deployment flipped to green (baking, epoch 2) whose storage then gets `write`, in a fresh object instance. */
async function flippedWith(write: (storage: DurableObjectStorage) => void): Promise<Env> {
  const e = testEnv();
  await flipDirect(e, "green");
  await seed(e, write);
  await evictDurableObject(controller(e));
  return e;
}

function expectNoRepair(e: Env): Promise<void> {
  expect(warn).not.toHaveBeenCalledWith(expect.stringContaining(e.DEPLOYMENT_NAME));
  return repairs(e).then((r) => expect(r).toEqual([]));
}

describe("routing state without health (the first version)", () => {
  const writeOld = (storage: DurableObjectStorage) => {
    const { health: _health, ...old } = storage.kv.get<RoutingState>(STORAGE_KEYS.routing)!;
    storage.kv.put(STORAGE_KEYS.routing, old);
  };

  // Every call but history reads the routing state (history answers without it).
  for (const [name, call] of Object.entries(NEXT_CALLS).filter(([name]) => name !== "history")) {
    it(`heals on the next call (${name}); every call works afterwards`, async () => {
      const e = await flippedWith(writeOld);
      await call(e);
      const stored = (await storedValue(e, STORAGE_KEYS.routing)) as RoutingState;
      expect(stored.health).toEqual({ blue: "healthy", green: "healthy" });
      await expectNoRepair(e);
      await everyCallWorks(e);
    });
  }

  it("keeps colour, epoch and phase, and rewrites the KV copy in today's shape", async () => {
    const e = await flippedWith(writeOld);
    const state = await controller(e).getRoutingState();
    expect(state).toMatchObject({ active: "green", epoch: 2, phase: "baking", health: { blue: "healthy", green: "healthy" } });
    expect(JSON.parse((await env.ROUTING.get(routingKvKey(e.DEPLOYMENT_NAME)))!)).toEqual(state);
    expect((await controller(e).status()).bake).not.toBeNull();
  });
});

describe("probe record of the first version (no latencyMs, no origins)", () => {
  const writeOld = (storage: DurableObjectStorage) => {
    storage.kv.put(STORAGE_KEYS.probe("blue"), { ok: true, at: Date.now(), version: "v1", digest: "sha256:ab" });
    storage.kv.put(STORAGE_KEYS.probe("green"), { ok: false, at: Date.now(), error: "HTTP 503" });
  };

  for (const [name, call] of Object.entries(NEXT_CALLS)) {
    it(`reads on the next call (${name}); every call works afterwards`, async () => {
      const e = await flippedWith(writeOld);
      await call(e);
      await expectNoRepair(e);
      await everyCallWorks(e);
    });
  }

  it("shows in status with no origins and no latency, and still refuses a flip to the colour it marks failed", async () => {
    const e = await flippedWith(writeOld);
    const status = await controller(e).status();
    expect(status.health.blue).toMatchObject({ version: "v1", digest: "sha256:ab", latencyMs: null, origins: [] });
    expect(status.health.green).toMatchObject({ error: "HTTP 503", origins: [] });
    expect(await controller(e).rollback({ actor: "t" })).toMatchObject({ ok: true });
    expect(await controller(e).flip({ to: "green", actor: "t" })).toMatchObject({ ok: false, reason: "target_unhealthy" });
  });
});

describe("history rows of the first version (metrics NULL for manual changes)", () => {
  const writeOld = (storage: DurableObjectStorage) => {
    storage.sql.exec(`UPDATE ${HISTORY_TABLE} SET metrics = NULL`);
    storage.sql.exec(
      `INSERT INTO ${HISTORY_TABLE} (at, from_color, to_color, epoch, kind, action, reason, actor, metrics) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
      new Date().toISOString(), "green", "blue", 3, "manual", "rollback", "p99 too high", "alice",
    );
  };

  for (const [name, call] of Object.entries(NEXT_CALLS)) {
    it(`reads on the next call (${name}); every call works afterwards`, async () => {
      const e = await flippedWith(writeOld);
      await call(e);
      await expectNoRepair(e);
      await everyCallWorks(e);
    });
  }

  it("answers the rows with metrics null", async () => {
    const e = await flippedWith(writeOld);
    expect(await controller(e).history(10)).toMatchObject([
      { action: "rollback", from: "green", to: "blue", epoch: 3, actor: "alice", metrics: null },
      { action: "flip", from: "blue", to: "green", epoch: 2, metrics: null },
    ]);
  });
});
