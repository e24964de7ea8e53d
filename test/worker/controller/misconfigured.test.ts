// Covers a DeploymentController whose Worker has a bad policy var
// (BAKE_SECONDS=abc, HEALTH_INTERVAL_SECONDS=soon), set on the live object's
// env as a deploy would: the alarm logs the bad var once per run, still
// probes, never throws and stays armed (its interval falls back to the
// default only when that var is the bad one); nothing is judged, so failing
// traffic rolls nothing back; status names the var and runs on defaults for
// it; a flip is refused with the var named; a manual rollback still works;
// reports are still answered. The policy's fallbacks are unit-tested too.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { DEFAULT_POLICY } from "../../../contract/policy.js";
import { policyWithFallbacks } from "../../../worker/src/controller/rollout-policy.js";
import { controller, flipDirect, setControllerVars, testEnv } from "../helpers.js";
import { bucket } from "./builders.js";

/** Gives the running object an env with `vars` changed (what a deploy with those vars would give it). */
const misconfigure = setControllerVars;

function alarmAt(e: Env): Promise<number | null> {
  return runInDurableObject(controller(e), (_i, state) => state.storage.getAlarm());
}

let error: MockInstance;
beforeEach(() => {
  error = vi.spyOn(console, "error");
});
afterEach(() => error.mockRestore());

describe("a controller with a bad policy var", () => {
  it("the alarm logs the var once per run, probes, judges nothing and stays armed", async () => {
    const e = testEnv();
    await flipDirect(e, "green");
    await misconfigure(e, { BAKE_SECONDS: "abc" });
    const second = Math.floor(Date.now() / 1000);
    // Half of green's answers fail: with a readable policy this is an automatic rollback.
    await controller(e).report({ isolateId: "t", buckets: [bucket(second, "green", { requests: 100, errors: 50 })] });
    const before = (await controller(e).status()).health.green.checkedAt!;

    for (const run of [1, 2]) {
      expect(await runDurableObjectAlarm(controller(e))).toBe(true);
      const logged = error.mock.calls.map((c) => String(c[0])).filter((m) => m.includes(e.DEPLOYMENT_NAME));
      expect(logged).toHaveLength(run);
      expect(logged[run - 1]).toMatch(/misconfigured.*BAKE_SECONDS: must be a whole number \(got "abc"\)/);
      expect(await alarmAt(e)).toBeGreaterThan(Date.now());
    }
    const status = await controller(e).status();
    expect(status.state).toMatchObject({ active: "green", epoch: 2, phase: "baking" });
    expect(status.health.green.checkedAt! > before).toBe(true);
    expect(status.configIssues).toEqual(['BAKE_SECONDS: must be a whole number (got "abc")']);
    // The other vars keep their values (this test env's hour-long probe interval); the bad one its default.
    expect(status.policy).toMatchObject({ bakeSeconds: DEFAULT_POLICY.bakeSeconds, healthIntervalSeconds: 3600 });
  });

  it("a bad HEALTH_INTERVAL_SECONDS: the next probe is its default interval away", async () => {
    const e = testEnv();
    await controller(e).getRoutingState();
    await misconfigure(e, { HEALTH_INTERVAL_SECONDS: "soon" });
    const ran = Date.now();
    await runDurableObjectAlarm(controller(e));
    const at = (await alarmAt(e))!;
    expect(at).toBeGreaterThanOrEqual(ran + DEFAULT_POLICY.healthIntervalSeconds * 1000);
    expect(at).toBeLessThanOrEqual(Date.now() + DEFAULT_POLICY.healthIntervalSeconds * 1000);
    await runInDurableObject(controller(e), (_i, state) => state.storage.deleteAlarm());
  });

  it("refuses a flip naming the var, still rolls back by hand, still answers reports", async () => {
    const e = testEnv();
    await flipDirect(e, "green");
    await misconfigure(e, { MAX_ERROR_RATE: "5" });
    // Settled inside a plain async function: handing the RPC promise itself to
    // expect().rejects left an unhandled rejection behind in workerd (a failed run).
    const refused = await (async () => controller(e).flip({ to: "blue", actor: "t" }))().then(
      () => null,
      (err: unknown) => err,
    );
    expect(String(refused)).toMatch(/invalid rollout policy: MAX_ERROR_RATE: must be below 1/);
    const rollback = await controller(e).rollback({ actor: "t", reason: "bad release" });
    expect(rollback).toMatchObject({ ok: true, state: { active: "blue", phase: "rolled_back" }, entry: { metrics: null } });
    const answer = await controller(e).report({ isolateId: "t", buckets: [bucket(Math.floor(Date.now() / 1000), "blue", { requests: 3 })] });
    expect(answer).toMatchObject({ active: "blue", epoch: 3 });
  });
});

describe("policyWithFallbacks", () => {
  it("keeps the vars that parse and defaults the bad ones, naming them", () => {
    const r = policyWithFallbacks({ BAKE_SECONDS: "abc", FAST_WINDOW_SECONDS: "5", MAX_ERROR_RATE: "2" });
    expect(r.policy).toEqual({ ...DEFAULT_POLICY, fastWindowSeconds: 5 });
    expect(r.issues).toEqual([expect.stringMatching(/^MAX_ERROR_RATE: /), expect.stringMatching(/^BAKE_SECONDS: /)]);
  });

  it("has no issues for a good env, and all defaults when the vars that parse conflict", () => {
    expect(policyWithFallbacks({ BAKE_SECONDS: "30" })).toEqual({ policy: { ...DEFAULT_POLICY, bakeSeconds: 30 }, issues: [] });
    // Each parses beside the other's default; together they conflict.
    const r = policyWithFallbacks({ FAST_WINDOW_SECONDS: "30", SLOW_WINDOW_SECONDS: "20" });
    expect(r.policy).toEqual(DEFAULT_POLICY);
    expect(r.issues).toEqual(['SLOW_WINDOW_SECONDS: must be at least FAST_WINDOW_SECONDS (30) (got "20")']);
  });
});
