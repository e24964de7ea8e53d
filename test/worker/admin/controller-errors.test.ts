// Covers what the admin API answers when something other than the request
// is wrong (worker/src/admin/controller-call.ts): a bad policy var of the
// Worker, or of the controller, is a 500 `misconfigured` naming the var on
// status and flip (status with the routing state in its details), while
// rollback, history and the timeline keep working; an exception in the
// controller's code is a logged 500 `internal`, never the 503 "retry
// shortly" that is kept for a controller that cannot be reached.
import { runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { CommandAnswer } from "../../../contract/history.js";
import { callController } from "../../../worker/src/admin/controller-call.js";
import { HttpError } from "../../../worker/src/errors.js";
import { adminRequest, controller, countingEnv, errorOf, flipDirect, newIsolate, sendSettled, testEnv } from "../helpers.js";

let logged: MockInstance;
beforeEach(() => {
  logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
});
afterEach(() => logged.mockRestore());

function admin(e: Env, method: string, path: string, body?: unknown): Promise<Response> {
  return sendSettled(newIsolate(), e, adminRequest(method, path, body));
}

describe("a Worker with a bad policy var", () => {
  it("GET /admin/status is a 500 misconfigured naming the var, with the routing state in its details", async () => {
    const e = testEnv({ BAKE_SECONDS: "abc" });
    const res = await admin(e, "GET", "/admin/status");
    expect(res.status).toBe(500);
    const error = await errorOf(res);
    expect(error.code).toBe("misconfigured");
    expect(error.message).toContain('BAKE_SECONDS: must be a whole number (got "abc")');
    expect(error.details).toMatchObject({
      issues: ['BAKE_SECONDS: must be a whole number (got "abc")'],
      deployment: e.DEPLOYMENT_NAME,
      active: "blue",
      epoch: 1,
      phase: "stable",
    });
  });

  it("POST /admin/flip is refused the same way and changes nothing; rollback, history and timeline still work", async () => {
    const e = testEnv({ MIN_REQUESTS: "0" });
    const flip = await admin(e, "POST", "/admin/flip", { to: "green" });
    expect(flip.status).toBe(500);
    expect(await errorOf(flip)).toMatchObject({ code: "misconfigured", message: expect.stringContaining("MIN_REQUESTS: must be at least 1") });
    expect(await controller(e).getRoutingState()).toMatchObject({ active: "blue", epoch: 1 });

    await flipDirect(e, "green");
    const rollback = await admin(e, "POST", "/admin/rollback", { reason: "bad release" });
    expect(rollback.status).toBe(200);
    expect(CommandAnswer.parse(await rollback.json())).toMatchObject({ state: { active: "blue", phase: "rolled_back" } });
    for (const path of ["/admin/history", "/admin/timeline?minutes=1"]) {
      const res = await admin(e, "GET", path);
      expect(res.status).toBe(200);
      await res.body?.cancel();
    }
  });
});

describe("a controller with a bad policy var (its env, not the router's)", () => {
  async function misconfigureController(e: Env): Promise<void> {
    await controller(e).getRoutingState();
    await runInDurableObject(controller(e), (instance) => {
      const object = instance as unknown as { env: Env };
      object.env = { ...object.env, GUARD_STABLE: "yes" };
    });
  }

  it("status and flip answer 500 misconfigured naming it, not 503", async () => {
    const e = testEnv();
    await misconfigureController(e);
    const status = await admin(e, "GET", "/admin/status");
    expect(status.status).toBe(500);
    expect(await errorOf(status)).toMatchObject({ code: "misconfigured", details: { issues: [expect.stringContaining("GUARD_STABLE")] } });
    const flip = await admin(e, "POST", "/admin/flip", { to: "green" });
    expect(flip.status).toBe(500);
    expect(await errorOf(flip)).toMatchObject({ code: "misconfigured", details: { issues: ["GUARD_STABLE: must be true, false, 1 or 0"] } });
    expect(await controller(e).getRoutingState()).toMatchObject({ active: "blue", epoch: 1 });
  });
});

describe("controller failures", () => {
  it("an exception in the controller's code is a logged 500 internal that names it", async () => {
    const e = testEnv();
    const failure = await callController("timeline", () => controller(e).timeline(0)).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(HttpError);
    expect(failure).toMatchObject({ code: "internal", status: 500, message: expect.stringContaining("minutes must be a whole number") });
    expect(logged).toHaveBeenCalledWith("admin: controller call timeline threw", expect.anything());
  });

  it("a controller that cannot be reached is a 503 to retry", async () => {
    const { env: broken } = countingEnv(testEnv(), { failController: true });
    const res = await admin(broken, "GET", "/admin/status");
    expect(res.status).toBe(503);
    expect(await errorOf(res)).toMatchObject({ code: "unavailable" });
  });
});
