// Covers the router's answers against the contract, parsed strictly (a field
// the router adds, drops or retypes fails here before a client meets it):
// GET /admin/status, /admin/history and /admin/timeline, POST /admin/flip and
// /admin/rollback, the 409 of a refused command, and the router's own
// /health (anonymous and admin) — through a deployment's life: fresh (no
// bake, verdict or last flip), baking with traffic judged, rolled back by
// hand, and rolled back automatically with its alert still undelivered.
import { describe, expect, it } from "vitest";
import { REFUSAL_REASONS } from "../../../contract/admin.js";
import { CommandAnswer, HistoryAnswer } from "../../../contract/history.js";
import { RouterHealth, RouterHealthAdmin } from "../../../contract/router-health.js";
import { AdminStatus } from "../../../contract/status.js";
import { TimelineView } from "../../../contract/timeline.js";
import { bucket } from "../controller/builders.js";
import { adminRequest, controller, errorOf, failAlerts, newIsolate, predictRequest, sendSettled, slowWindowOnce, testEnv, waitFor, type Router } from "../helpers.js";

async function answer<T>(router: Router, e: Env, schema: { parse(value: unknown): T }, method: string, path: string, body?: unknown): Promise<T> {
  const res = await sendSettled(router, e, adminRequest(method, path, body));
  expect(res.status, `${method} ${path}`).toBe(200);
  return schema.parse(await res.json());
}

const status = (router: Router, e: Env) => answer(router, e, AdminStatus, "GET", "/admin/status");
const history = (router: Router, e: Env) => answer(router, e, HistoryAnswer, "GET", "/admin/history");
const timeline = (router: Router, e: Env) => answer(router, e, TimelineView, "GET", "/admin/timeline?minutes=1");

describe("the router's answers match the contract", () => {
  it("for a fresh deployment: nothing flipped, judged or baking", async () => {
    const e = testEnv();
    const router = newIsolate();
    expect(await status(router, e)).toMatchObject({ epoch: 1, phase: "stable", bake: null, verdict: null, lastFlip: null });
    expect(await history(router, e)).toEqual({ entries: [] });
    expect((await timeline(router, e)).markers).toEqual([]);
    const anonymous = await sendSettled(router, e, new Request("https://router.test/health"));
    expect(RouterHealth.parse(await anonymous.json())).toEqual({ status: "healthy", active: "blue" });
    const admin = await sendSettled(router, e, adminRequest("GET", "/health"));
    expect(RouterHealthAdmin.parse(await admin.json())).toMatchObject({ epoch: 1, phase: "stable" });
  });

  it("while baking with traffic judged, after a rollback by hand, and after an automatic one with its alert pending", async () => {
    const e = testEnv();
    const router = newIsolate();
    const flip = await answer(router, e, CommandAnswer, "POST", "/admin/flip", { to: "green", reason: "ship v2" });
    expect(flip.state).toMatchObject({ active: "green", phase: "baking" });
    for (let i = 0; i < 3; i++) expect((await sendSettled(router, e, predictRequest())).status).toBe(200);
    await slowWindowOnce(e, "green", 3); // the relay forwards in the background
    const baking = await status(router, e);
    expect(baking.bake).not.toBeNull();
    expect(baking.verdict).toMatchObject({ color: "green", verdict: "inconclusive" });
    expect(baking.colors.green.metrics.fast.requests).toBe(3);
    expect(baking.lastFlip).toEqual(flip.entry);

    const back = await answer(router, e, CommandAnswer, "POST", "/admin/rollback", { reason: "by hand" });
    expect(back.entry).toMatchObject({ action: "rollback", kind: "manual" });
    const refused = await sendSettled(router, e, adminRequest("POST", "/admin/rollback", {}));
    expect(refused.status).toBe(409);
    const error = await errorOf(refused);
    expect(error.code).toBe("conflict");
    expect(REFUSAL_REASONS).toContain((error.details as { reason: string }).reason);

    await answer(router, e, CommandAnswer, "POST", "/admin/flip", { to: "green" });
    await failAlerts(e.DEPLOYMENT_NAME, 5, 503);
    const failing = bucket(Math.floor(Date.now() / 1000), "green", { requests: 100, errors: 50 });
    expect(await controller(e).report({ isolateId: "t", buckets: [failing] })).toMatchObject({ active: "blue", phase: "rolled_back" });
    await waitFor("the failed alert to be recorded", async () => ((await controller(e).status()).alerts.lastError !== null ? true : undefined));

    const after = await status(router, e);
    expect(after.alerts).toMatchObject({ pending: 1, lastError: "HTTP 503" });
    expect(after.lastFlip).toMatchObject({ action: "rollback", kind: "auto", actor: "controller" });
    expect(after.lastFlip?.metrics).toMatchObject({ color: "green", verdict: "failed" });
    const { entries } = await history(router, e);
    expect(entries.map((h) => `${h.kind} ${h.action}`)).toEqual(["auto rollback", "manual flip", "manual rollback", "manual flip"]);
    expect((await timeline(router, e)).markers).toHaveLength(4);
  });
});
