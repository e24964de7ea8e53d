// Shared by the stored-state tests (storage-migrations, storage-repairs):
// writing a value straight into a controller's storage, the check that every
// call still works afterwards, and the repair rows of the history. Not a
// test file.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import { otherColor } from "../../../contract/colors.js";
import type { HistoryEntry } from "../../../contract/history.js";
import { adminRequest, controller, newIsolate, sendSettled } from "../helpers.js";
import { bucket } from "./builders.js";

/** Runs `write` on the deployment's storage (the object is started first, so its first probe is already done). */
export async function seed(e: Env, write: (storage: DurableObjectStorage) => void): Promise<void> {
  await controller(e).getRoutingState();
  await runInDurableObject(controller(e), (_instance, state) => write(state.storage));
}

/** A raw value of the controller's key-value storage. */
export function storedValue(e: Env, key: string): Promise<unknown> {
  return runInDurableObject(controller(e), (_instance, state) => state.storage.kv.get(key));
}

/** The controller's repair rows, oldest first. */
export async function repairs(e: Env): Promise<HistoryEntry[]> {
  return (await controller(e).history(500)).filter((h) => h.action === "repair").reverse();
}

/** The calls an operator and the isolates make, each answering normally: status (RPC and admin API), report, alarm, flip, rollback, history. */
export async function everyCallWorks(e: Env): Promise<void> {
  const status = await controller(e).status();
  const res = await sendSettled(newIsolate(), e, adminRequest("GET", "/admin/status"));
  expect(res.status).toBe(200);
  await res.body?.cancel();
  const second = Math.floor(Date.now() / 1000);
  const answer = await controller(e).report({ isolateId: "t", buckets: [bucket(second, status.state.active, { requests: 5 })] });
  expect(answer.epoch).toBeGreaterThanOrEqual(status.state.epoch);
  expect(await runDurableObjectAlarm(controller(e))).toBe(true);
  const to = otherColor((await controller(e).getRoutingState()).active);
  const flip = await controller(e).flip({ to, actor: "t", force: true });
  expect(flip).toMatchObject({ ok: true, state: { active: to, phase: "baking" } });
  const rollback = await controller(e).rollback({ actor: "t", force: true });
  expect(rollback).toMatchObject({ ok: true, state: { active: otherColor(to), phase: "rolled_back" } });
  const history = await controller(e).history(2);
  expect(history.map((h) => h.action)).toEqual(["rollback", "flip"]);
  expect(await controller(e).timeline(1)).toHaveProperty("colors.blue");
}
