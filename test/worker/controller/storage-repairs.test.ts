// Covers unreadable stored values on a real DeploymentController: garbage
// written under each key (and into the history table) is, on the next call,
// replaced by the key's safe default (docs/storage.md "Migrations") with one
// logged warning naming the key and one `repair` row in the history (actor
// controller, kind auto); it happens once, not on every read, and every call
// works afterwards — where the same garbage used to make every call throw.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { policyFromEnv } from "../../../contract/policy.js";
import type { RoutingState } from "../../../contract/routing.js";
import { HISTORY_QUARANTINE_TABLE, HISTORY_TABLE, STORAGE_KEYS } from "../../../worker/src/controller/state-store.js";
import { relayName } from "../../../worker/src/relay/relay-name.js";
import { routingKvKey } from "../../../worker/src/routing-state.js";
import { controller, flipDirect, testEnv } from "../helpers.js";
import { bucket } from "./builders.js";
import { everyCallWorks, repairs, seed, storedValue } from "./stored-state.js";

let warn: MockInstance;
beforeEach(() => {
  warn = vi.spyOn(console, "warn");
});
afterEach(() => warn.mockRestore());

/** A deployment flipped to green (baking, epoch 2) with `key` overwritten by `garbage`, in a fresh object instance. */
async function withGarbage(key: string, garbage: unknown): Promise<Env> {
  const e = testEnv();
  await flipDirect(e, "green");
  await seed(e, (storage) => storage.kv.put(key, garbage));
  await evictDurableObject(controller(e));
  return e;
}

/** Makes the calls that read every key, then checks the one warning and the one repair row for `key`. */
async function expectRepairedOnce(e: Env, key: string): Promise<void> {
  await controller(e).status();
  await controller(e).timeline(15);
  await controller(e).status();
  const warnings = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes(e.DEPLOYMENT_NAME));
  expect(warnings).toEqual([expect.stringContaining(`stored ${key} was unreadable`)]);
  const rows = await repairs(e);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ kind: "auto", action: "repair", actor: "controller", metrics: { storageKey: key } });
  expect(rows[0]!.reason.startsWith(`${key}: `)).toBe(true);
}

describe("an unreadable value under each key is reset once, with a warning and a repair row", () => {
  it("routing: keeps the readable active colour, phase stable, an epoch above any seen; the bake goes; KV follows", async () => {
    const e = await withGarbage(STORAGE_KEYS.routing, { active: "green", epoch: "two", phase: "paused" });
    await expectRepairedOnce(e, STORAGE_KEYS.routing);
    const state = await controller(e).getRoutingState();
    expect(state).toMatchObject({ active: "green", epoch: 3, phase: "stable", health: { blue: "healthy", green: "healthy" } });
    expect(await storedValue(e, STORAGE_KEYS.bake)).toBeUndefined();
    expect(JSON.parse((await env.ROUTING.get(routingKvKey(e.DEPLOYMENT_NAME)))!)).toEqual(state);
    await everyCallWorks(e);
  });

  it("routing that is not even an object: blue, stable, above the epoch KV and the history hold", async () => {
    const e = await withGarbage(STORAGE_KEYS.routing, "green");
    await expectRepairedOnce(e, STORAGE_KEYS.routing);
    expect(await controller(e).getRoutingState()).toMatchObject({ active: "blue", epoch: 3, phase: "stable" });
    await everyCallWorks(e);
  });

  it("bake, while baking: restarted from now for BAKE_SECONDS (still guarded)", async () => {
    const before = Date.now();
    const e = await withGarbage(STORAGE_KEYS.bake, { deadline: "soon" });
    await expectRepairedOnce(e, STORAGE_KEYS.bake);
    const status = await controller(e).status();
    expect(status.state.phase).toBe("baking");
    expect(Date.parse(status.bake!.startedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(status.bake!.endsAt) - Date.parse(status.bake!.startedAt)).toBe(policyFromEnv(env).bakeSeconds * 1000);
    await everyCallWorks(e);
  });

  it("probe: dropped, health unknown until the next probe, which stores a fresh one", async () => {
    const e = await withGarbage(STORAGE_KEYS.probe("green"), { ok: "maybe" });
    await expectRepairedOnce(e, STORAGE_KEYS.probe("green"));
    expect((await controller(e).status()).health.green).toMatchObject({ checkedAt: null });
    await everyCallWorks(e);
    expect((await controller(e).status()).health.green).toMatchObject({ status: "healthy", version: "v2" });
  });

  it("kv_written: dropped, so KV is written again", async () => {
    const e = await withGarbage(STORAGE_KEYS.kvWritten, [2]);
    await expectRepairedOnce(e, STORAGE_KEYS.kvWritten);
    expect((await controller(e).status()).kvCurrent).toBe(true);
    await everyCallWorks(e);
  });

  it("windows: start empty", async () => {
    const e = await withGarbage(STORAGE_KEYS.windows, { version: 9 });
    await expectRepairedOnce(e, STORAGE_KEYS.windows);
    expect((await controller(e).status()).metrics.green.slow.requests).toBe(0);
    await everyCallWorks(e);
  });

  it("timeline: starts empty", async () => {
    const e = await withGarbage(STORAGE_KEYS.timeline, "chart");
    await expectRepairedOnce(e, STORAGE_KEYS.timeline);
    await everyCallWorks(e);
  });

  it("label_history (read by the first report): starts empty", async () => {
    const e = await withGarbage(STORAGE_KEYS.labelHistory, { version: 1, colors: "lots" });
    const second = Math.floor(Date.now() / 1000);
    await controller(e).report({ isolateId: "t", buckets: [bucket(second, "green", { requests: 5 })] });
    await controller(e).report({ isolateId: "t", buckets: [bucket(second, "green", { requests: 5 })] });
    const warnings = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes(e.DEPLOYMENT_NAME));
    expect(warnings).toEqual([expect.stringContaining(`stored ${STORAGE_KEYS.labelHistory} was unreadable`)]);
    expect((await repairs(e)).map((r) => r.metrics)).toEqual([expect.objectContaining({ storageKey: STORAGE_KEYS.labelHistory })]);
    await everyCallWorks(e);
  });

  it("baseline: dropped, drift could not measure (never failed) until the next flip freezes one", async () => {
    const e = await withGarbage(STORAGE_KEYS.baseline, { version: 1, counts: "neutral" });
    await expectRepairedOnce(e, STORAGE_KEYS.baseline);
    const status = await controller(e).status();
    expect(status.drift).toMatchObject({ verdict: "inconclusive", baseline: null, reason: "drift: could not measure, no baseline was frozen at this flip" });
    await everyCallWorks(e);
  });

  it("auto_rollback_armed: armed again (the default)", async () => {
    const e = await withGarbage(STORAGE_KEYS.autoRollbackArmed, "false");
    await expectRepairedOnce(e, STORAGE_KEYS.autoRollbackArmed);
    expect((await controller(e).status()).autoRollbackArmed).toBe(true);
    await everyCallWorks(e);
  });

  it("last_verdict: dropped until the next evaluation", async () => {
    const e = await withGarbage(STORAGE_KEYS.lastVerdict, { verdict: "great" });
    await expectRepairedOnce(e, STORAGE_KEYS.lastVerdict);
    await everyCallWorks(e);
    expect((await controller(e).status()).verdict).not.toBeNull();
  });

  it("relays: learnt again from the relays' next forwards", async () => {
    const e = await withGarbage(STORAGE_KEYS.relays, { version: 1, relays: "many" });
    const forward = { relay: relayName(e.DEPLOYMENT_NAME, "LHR", 0), incarnation: "i", colo: "LHR", batches: [], isolates: 2 };
    expect(await controller(e).forward(forward)).toMatchObject({ ackSeq: 0, shards: 1 });
    await expectRepairedOnce(e, STORAGE_KEYS.relays);
    // The forward's save stored the registry anew, with the relay it heard from.
    expect(await storedValue(e, STORAGE_KEYS.relays)).toMatchObject({ version: 1, relays: [{ relay: forward.relay, colo: "LHR", isolates: 2 }] });
    await everyCallWorks(e);
  });

  it("alert_outbox: the readable alerts stay, the rest go", async () => {
    const alert = { id: "a1", kind: "bake_passed", text: "[bluegreen x] kept", createdAt: Date.now(), attempts: 1 };
    const e = await withGarbage(STORAGE_KEYS.alertOutbox, [alert, { id: "a2", kind: "party" }]);
    await expectRepairedOnce(e, STORAGE_KEYS.alertOutbox);
    expect(await storedValue(e, STORAGE_KEYS.alertOutbox)).toEqual([alert]);
    await everyCallWorks(e);
  });
});

describe("unreadable history rows", () => {
  async function withRows(rows: Array<[string, string, string, number | string, string, string, string | null]>): Promise<Env> {
    const e = testEnv();
    await flipDirect(e, "green");
    await seed(e, (storage) => {
      for (const [at, from, to, epoch, kind, action, metrics] of rows) {
        storage.sql.exec(
          `INSERT INTO ${HISTORY_TABLE} (at, from_color, to_color, epoch, kind, action, reason, actor, metrics) VALUES (?, ?, ?, ?, ?, ?, 'r', 'alice', ?)`,
          at, from, to, epoch, kind, action, metrics,
        );
      }
    });
    await evictDurableObject(controller(e));
    return e;
  }

  it("a row with a colour nobody wrote is moved to the quarantine table, never shown as blue", async () => {
    const at = new Date().toISOString();
    const e = await withRows([[at, "green", "purple", 3, "manual", "rollback", null]]);
    const history = await controller(e).history(10);
    expect(history.map((h) => [h.action, h.to])).toEqual([["repair", "green"], ["flip", "green"]]);
    expect(history[0]!.reason).toMatch(/^history: 1 unreadable row\(s\) copied to history_quarantine: #2 moved \(to_color: /);
    const kept = await runInDurableObject(controller(e), (_i, state) =>
      state.storage.sql.exec(`SELECT id, to_color, problem FROM ${HISTORY_QUARANTINE_TABLE}`).toArray(),
    );
    expect(kept).toEqual([{ id: 2, to_color: "purple", problem: expect.stringContaining("to_color") }]);
    await everyCallWorks(e);
    expect(await repairs(e)).toHaveLength(1);
  });

  it("a row whose only fault is its metrics keeps its place without them; other bad rows go", async () => {
    const at = new Date().toISOString();
    const e = await withRows([
      [at, "green", "blue", 3, "manual", "rollback", "{not json"],
      [at, "blue", "green", "four", "manual", "flip", null],
      ["yesterday", "blue", "green", 5, "auto", "flip", null],
    ]);
    const history = await controller(e).history(10);
    expect(history.map((h) => h.action)).toEqual(["repair", "rollback", "flip"]);
    expect(history[1]).toMatchObject({ from: "green", to: "blue", epoch: 3, metrics: null });
    expect(history[0]!.reason).toContain("3 unreadable row(s)");
    await everyCallWorks(e);
  });
});

describe("repairs are not changes of the traffic", () => {
  it("status's lastFlip and the timeline's markers skip them; the windows are not cut at them", async () => {
    const e = await withGarbage(STORAGE_KEYS.lastVerdict, 1);
    const status = await controller(e).status();
    expect(status.lastFlip).toMatchObject({ action: "flip", to: "green" });
    expect((await controller(e).timeline(15)).markers.map((m) => m.action)).toEqual(["flip"]);
    const routing = (await storedValue(e, STORAGE_KEYS.routing)) as RoutingState;
    expect(routing.epoch).toBe(2);
  });
});
