// Covers the DeploymentController's phase transitions (docs/architecture.md
// "Controller") through its RPC methods, its alarm and real storage: stable →
// baking (flip),
// baking → stable (bake passed, on the alarm at the deadline), baking →
// rolled_back (automatic, on a report; and manual), stable → rolled_back,
// rolled_back → baking (flip, which re-arms automatic rollback); the bake
// holding at its deadline when it could not measure; one automatic flip per
// deployment; compare-and-set conflicts on the epoch, including an operator
// racing an automatic rollback; history rows with the window metrics.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { STORAGE_KEYS } from "../../../worker/src/controller/state-store.js";
import type { Bake } from "../../../worker/src/controller/transitions.js";
import { controller, flipDirect, flipStable, setControllerClock, testEnv } from "../helpers.js";
import { bucket } from "./builders.js";

const now = () => Math.floor(Date.now() / 1000);

/** Reports one second of green traffic to the controller (the current second, or `second`); answers the routing state it returns. */
function reportGreen(e: Env, requests: number, errors: number, second = now()) {
  return controller(e).report({ isolateId: "test", buckets: [bucket(second, "green", { requests, errors })] });
}

/** Moves the stored bake's deadline into the past (the alarm or the next report then judges it). */
async function expireBake(e: Env): Promise<void> {
  await runInDurableObject(controller(e), (_i, state) => {
    const bake = state.storage.kv.get<Bake>(STORAGE_KEYS.bake)!;
    state.storage.kv.put(STORAGE_KEYS.bake, { ...bake, endsAt: Date.now() - 1 });
  });
}

describe("phase transitions", () => {
  it("stable → baking: a flip starts a bake of BAKE_SECONDS", async () => {
    const e = testEnv();
    const state = await flipDirect(e, "green");
    expect(state).toMatchObject({ active: "green", epoch: 2, phase: "baking" });
    const status = await controller(e).status();
    expect(Date.parse(status.bake!.endsAt) - Date.parse(status.bake!.startedAt)).toBe(status.policy.bakeSeconds * 1000);
  });

  it("baking → stable: the alarm at the deadline passes a colour measured healthy (same epoch, no history row)", async () => {
    const e = testEnv();
    await flipDirect(e, "green");
    await reportGreen(e, 40, 0);
    await expireBake(e);
    expect(await runDurableObjectAlarm(controller(e))).toBe(true);
    const status = await controller(e).status();
    expect(status.state).toMatchObject({ active: "green", epoch: 2, phase: "stable" });
    expect(status.state.reason).toMatch(/^bake passed/);
    expect(status.bake).toBeNull();
    expect(status.verdict).toMatchObject({ color: "green", verdict: "healthy", action: "none" });
    expect(await controller(e).history(10)).toHaveLength(1);
  });

  it("baking → stable also on a report once the deadline has passed", async () => {
    const e = testEnv();
    await flipDirect(e, "green");
    await expireBake(e);
    expect(await reportGreen(e, 40, 0)).toMatchObject({ phase: "stable", epoch: 2 });
  });

  it("baking holds at the deadline when there was too little traffic to measure (never passed, never rolled back)", async () => {
    const e = testEnv();
    await flipDirect(e, "green");
    await reportGreen(e, 5, 5);
    await expireBake(e);
    await runDurableObjectAlarm(controller(e));
    const status = await controller(e).status();
    expect(status.state).toMatchObject({ active: "green", phase: "baking" });
    expect(status.verdict).toMatchObject({ verdict: "inconclusive", action: "none" });
    expect(status.verdict!.reason).toContain("could not measure");
  });

  it("baking → rolled_back automatically: the report that proves the failure is answered with the rollback", async () => {
    const e = testEnv();
    await flipDirect(e, "green");
    const answer = await reportGreen(e, 40, 20);
    expect(answer).toMatchObject({ active: "blue", epoch: 3, phase: "rolled_back" });
    expect(answer.reason).toMatch(/^fast window \(10s\): 20\/40 errors, error-rate lower bound .* > 5\.0%.*; rolling back to blue$/);
    const [entry] = await controller(e).history(1);
    expect(entry).toMatchObject({ from: "green", to: "blue", epoch: 3, kind: "auto", action: "rollback", actor: "controller" });
    expect(entry!.metrics).toMatchObject({ color: "green", verdict: "failed", window: "fast", fastRequests: 40, fastErrors: 20, fastErrorRate: 0.5 });
    expect(entry!.metrics!.fastErrorRateLowerBound).toBeGreaterThan(0.05);
    const status = await controller(e).status();
    expect(status.autoRollbackArmed).toBe(false);
    expect(status.bake).toBeNull();
  });

  it("baking → rolled_back manually, with the window metrics of the colour left", async () => {
    const e = testEnv();
    await flipDirect(e, "green");
    await reportGreen(e, 30, 0);
    const result = await controller(e).rollback({ actor: "alice", reason: "wrong model" });
    expect(result).toMatchObject({ ok: true, state: { active: "blue", epoch: 3, phase: "rolled_back" } });
    expect(result.ok && result.entry).toMatchObject({ kind: "manual", actor: "alice", metrics: { color: "green", fastRequests: 30, verdict: "healthy" } });
    expect((await controller(e).status()).autoRollbackArmed).toBe(true);
  });

  it("stable → rolled_back manually", async () => {
    const e = testEnv();
    await flipStable(e, "green");
    expect(await controller(e).rollback({ actor: "a" })).toMatchObject({ ok: true, state: { active: "blue", phase: "rolled_back" } });
  });

  it("stable is not guarded (GUARD_STABLE off): failures are judged but not acted on", async () => {
    const e = testEnv();
    await flipStable(e, "green");
    expect(await reportGreen(e, 40, 40)).toMatchObject({ active: "green", phase: "stable", epoch: 2 });
    expect((await controller(e).status()).verdict).toMatchObject({ verdict: "failed", action: "none" });
  });

  it("rolled_back → baking: a manual flip, which re-arms automatic rollback; the new bake is judged on its own traffic", async () => {
    const e = testEnv();
    const clock = await setControllerClock(e);
    await flipDirect(e, "green");
    await reportGreen(e, 40, 20, clock.second);
    expect((await controller(e).status()).autoRollbackArmed).toBe(false);
    // Failures keep coming from isolates that have not heard yet; rolled_back never acts on them.
    expect(await reportGreen(e, 40, 40, clock.second)).toMatchObject({ active: "blue", epoch: 3 });

    // Windows are cut at the flip's second; flip in the next one so the failures above are all before it.
    clock.ms += 1_000;
    const again = await controller(e).flip({ to: "green", actor: "alice", reason: "fixed" });
    expect(again).toMatchObject({ ok: true, state: { active: "green", epoch: 4, phase: "baking" } });
    expect((await controller(e).status()).autoRollbackArmed).toBe(true);
    expect(await reportGreen(e, 30, 0, clock.second)).toMatchObject({ active: "green", epoch: 4 });
    expect((await controller(e).status()).metrics.green.fast).toMatchObject({ requests: 30, errors: { total: 0 } });
  });

  it("one automatic flip per deployment: after it, nothing automatic happens until a manual flip", async () => {
    const e = testEnv();
    await flipDirect(e, "green");
    await reportGreen(e, 40, 20);
    // Blue (now active, rolled_back) failing too does not flip anything back.
    await controller(e).report({ isolateId: "t", buckets: [bucket(now(), "blue", { requests: 100, errors: 100 })] });
    await runDurableObjectAlarm(controller(e));
    const history = await controller(e).history(10);
    expect(history.map((h) => `${h.kind} ${h.action}`)).toEqual(["auto rollback", "manual flip"]);
    expect(await controller(e).getRoutingState()).toMatchObject({ active: "blue", epoch: 3 });
  });
});

describe("compare-and-set on the epoch", () => {
  it("refuses a flip and a rollback with a stale expectedEpoch, changing nothing", async () => {
    const e = testEnv();
    await flipDirect(e, "green");
    expect(await controller(e).flip({ to: "blue", actor: "a", expectedEpoch: 1 })).toMatchObject({ ok: false, reason: "epoch_mismatch" });
    expect(await controller(e).rollback({ actor: "a", expectedEpoch: 1 })).toMatchObject({
      ok: false,
      reason: "epoch_mismatch",
      details: { expectedEpoch: 1, currentEpoch: 2 },
    });
    expect(await controller(e).getRoutingState()).toMatchObject({ active: "green", epoch: 2, phase: "baking" });
  });

  it("an operator who read the state before an automatic rollback is refused", async () => {
    const e = testEnv();
    const flipped = await flipDirect(e, "green");
    await reportGreen(e, 40, 20);
    const late = await controller(e).rollback({ actor: "bob", expectedEpoch: flipped.epoch });
    expect(late).toMatchObject({ ok: false, reason: "epoch_mismatch", details: { currentEpoch: 3, phase: "rolled_back" } });
  });

  it("of concurrent flips and rollbacks at the same epoch, exactly one wins", async () => {
    const e = testEnv();
    await flipDirect(e, "green");
    const results = await Promise.all([
      controller(e).rollback({ actor: "a", expectedEpoch: 2 }),
      controller(e).flip({ to: "blue", actor: "b", expectedEpoch: 2 }),
      controller(e).rollback({ actor: "c", expectedEpoch: 2 }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await controller(e).history(10)).toHaveLength(2);
  });
});
