// Covers worker/src/admin/routes.ts through the router, every 200 answer
// parsed strictly with the contract's schema (contract/status.ts,
// history.ts) and every error with its envelope: status shape, flip (bake
// starts, epoch bumps, actor recorded), expectedEpoch
// compare-and-set (409), refusal to flip to a colour whose last probe failed
// unless force, rollback rules, history newest first with ?limit, the
// actor names reserved for the controller (400), strict bodies (unknown
// fields, wrong types, bad JSON, wrong content type) and 405/404 for wrong
// methods and paths — all answered with the error envelope.
import { describe, expect, it } from "vitest";
import { CommandAnswer, HistoryAnswer } from "../../../contract/history.js";
import { AdminStatus } from "../../../contract/status.js";
import { adminRequest, controller, errorOf, newIsolate, sendSettled, testEnv, type Router } from "../helpers.js";

/** The contract's schema of each route's 200 answer. */
const ANSWERS = { "/admin/status": AdminStatus, "/admin/flip": CommandAnswer, "/admin/rollback": CommandAnswer, "/admin/history": HistoryAnswer };

async function call(router: Router, e: Env, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await sendSettled(router, e, adminRequest(method, path, body, undefined, headers));
  return { status: res.status, res, path };
}

/** The answer's JSON; a 200 parsed strictly with its route's schema, so a field the contract does not name fails. */
async function json<T = Record<string, unknown>>(p: Promise<{ status: number; res: Response; path: string }>): Promise<{ status: number; body: T }> {
  const { status, res, path } = await p;
  const raw: unknown = await res.json();
  if (status !== 200) return { status, body: raw as T };
  const schema = ANSWERS[path.split("?")[0] as keyof typeof ANSWERS];
  return { status, body: schema.parse(raw) as T };
}

describe("GET /admin/status", () => {
  it("shows active, standby, epoch, phase, per-colour origins/health/metrics, policy and the last flip", async () => {
    const e = testEnv();
    const router = newIsolate();
    const { status, body } = await json(call(router, e, "GET", "/admin/status"));
    expect(status).toBe(200);
    expect(body).toMatchObject({
      deployment: e.DEPLOYMENT_NAME,
      active: "blue",
      standby: "green",
      epoch: 1,
      phase: "stable",
      bake: null,
      lastFlip: null,
      kvCurrent: true,
      policy: { fastWindowSeconds: 10, slowWindowSeconds: 60, minRequests: 20, maxErrorRate: 0.05, bakeSeconds: 120, failover: "standby" },
      colors: {
        blue: { role: "active", origins: [{ url: e.BLUE_ORIGINS, coolingDown: false }], health: { status: "healthy", version: "v1" } },
        green: { role: "standby", health: { status: "healthy", version: "v2" } },
      },
    });
    expect(body).toHaveProperty("colors.green.metrics.fast.requests", 0);
    expect(JSON.stringify(body)).not.toContain("test-admin-token");
    expect(JSON.stringify(body)).not.toContain("test-origin-token");
  });

  it("shows the version and health from the last probe", async () => {
    const e = testEnv();
    await controller(e).recordProbe("green", { ok: true, at: Date.now(), version: "v2", digest: "sha256:abc" });
    const { body } = await json<{ colors: { green: { version: string; health: { status: string } } } }>(
      call(newIsolate(), e, "GET", "/admin/status"),
    );
    expect(body.colors.green).toMatchObject({ version: "v2", health: { status: "healthy" } });
  });
});

describe("POST /admin/flip", () => {
  it("flips, starts baking, bumps the epoch and records who and why", async () => {
    const e = testEnv();
    const router = newIsolate();
    const { status, body } = await json<{ state: Record<string, unknown>; entry: Record<string, unknown> }>(
      call(router, e, "POST", "/admin/flip", { to: "green", reason: "ship v2", expectedEpoch: 1 }, { "x-bluegreen-actor": "alice" }),
    );
    expect(status).toBe(200);
    expect(body.state).toMatchObject({ active: "green", standby: "blue", epoch: 2, phase: "baking", reason: "ship v2" });
    expect(body.entry).toMatchObject({ from: "blue", to: "green", epoch: 2, kind: "manual", action: "flip", reason: "ship v2", actor: "alice" });
    // The window figures of the colour being left, at that moment (no traffic here).
    expect(body.entry.metrics).toMatchObject({ color: "blue", verdict: "inconclusive", fastRequests: 0, slowRequests: 0 });
    const status2 = await json<{ bake: { startedAt: string; endsAt: string }; lastFlip: unknown }>(call(router, e, "GET", "/admin/status"));
    expect(Date.parse(status2.body.bake.endsAt) - Date.parse(status2.body.bake.startedAt)).toBe(120_000);
    expect(status2.body.lastFlip).toEqual(body.entry);
  });

  it("409s a stale expectedEpoch and changes nothing", async () => {
    const e = testEnv();
    const router = newIsolate();
    expect((await call(router, e, "POST", "/admin/flip", { to: "green", expectedEpoch: 1 })).status).toBe(200);
    const stale = await call(router, e, "POST", "/admin/flip", { to: "blue", expectedEpoch: 1 });
    expect(stale.status).toBe(409);
    const error = await errorOf(stale.res);
    expect(error.code).toBe("conflict");
    expect(error.details).toMatchObject({ reason: "epoch_mismatch", expectedEpoch: 1, currentEpoch: 2 });
    expect(await controller(e).getRoutingState()).toMatchObject({ active: "green", epoch: 2 });
  });

  it("two flips racing with the same expectedEpoch: exactly one wins", async () => {
    const e = testEnv();
    const results = await Promise.all([
      call(newIsolate(), e, "POST", "/admin/flip", { to: "green", expectedEpoch: 1 }),
      call(newIsolate(), e, "POST", "/admin/flip", { to: "green", expectedEpoch: 1 }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    await Promise.all(results.map((r) => r.res.body?.cancel()));
    expect(await controller(e).history(10)).toHaveLength(1);
  });

  it("refuses a colour whose last probe failed (409) unless force", async () => {
    const e = testEnv();
    const router = newIsolate();
    await controller(e).recordProbe("green", { ok: false, at: Date.now(), error: "HTTP 503" });
    const refused = await call(router, e, "POST", "/admin/flip", { to: "green" });
    expect(refused.status).toBe(409);
    const error = await errorOf(refused.res);
    expect(error.details).toMatchObject({ reason: "target_unhealthy", color: "green" });
    expect(error.message).toContain("force");
    expect((await controller(e).getRoutingState()).active).toBe("blue");

    const forced = await call(router, e, "POST", "/admin/flip", { to: "green", force: true });
    expect(forced.status).toBe(200);
    await forced.res.body?.cancel();
    expect((await controller(e).getRoutingState()).active).toBe("green");
  });

  it("409s a flip to the colour that is already active", async () => {
    const res = await call(newIsolate(), testEnv(), "POST", "/admin/flip", { to: "blue" });
    expect(res.status).toBe(409);
    expect((await errorOf(res.res)).details).toMatchObject({ reason: "already_active" });
  });

  it("rejects bad bodies with 400/415 and details", async () => {
    const e = testEnv();
    const router = newIsolate();
    const bad: Array<[unknown, number, string]> = [
      [{ to: "green", expectedEpcoh: 1 }, 400, "unknown field"],
      [{ to: "purple" }, 400, "bad colour"],
      [{}, 400, "missing to"],
      [{ to: "green", expectedEpoch: "1" }, 400, "epoch as string"],
      [{ to: "green", expectedEpoch: -1 }, 400, "negative epoch"],
      [{ to: "green", force: "yes" }, 400, "force as string"],
      ["{not json", 400, "bad JSON"],
      ["", 400, "empty body"],
    ];
    for (const [body, status, label] of bad) {
      const res = await call(router, e, "POST", "/admin/flip", body);
      expect(res.status, label).toBe(status);
      expect((await errorOf(res.res)).code, label).toBe("invalid_request");
    }
    const wrongType = await sendSettled(
      router,
      e,
      adminRequest("POST", "/admin/flip", JSON.stringify({ to: "green" }), undefined, { "content-type": "text/plain" }),
    );
    expect(wrongType.status).toBe(415);
    await wrongType.body?.cancel();
    const badActor = await call(router, e, "POST", "/admin/flip", { to: "green" }, { "x-bluegreen-actor": "<script>" });
    expect(badActor.status).toBe(400);
    await badActor.res.body?.cancel();
    expect(await controller(e).history(10)).toHaveLength(0);
  });
});

describe("x-bluegreen-actor", () => {
  it("400s the names reserved for the controller (controller, system…, any case) on flip and rollback, changing nothing", async () => {
    const e = testEnv();
    const router = newIsolate();
    await controller(e).flip({ to: "green", actor: "setup" }); // so that a rollback would be possible
    for (const actor of ["controller", "Controller", " CONTROLLER ", "system", "System Admin", "system:cron", "SYSTEMD"]) {
      for (const [path, body] of [["/admin/flip", { to: "blue" }], ["/admin/rollback", {}]] as const) {
        const res = await call(router, e, "POST", path, body, { "x-bluegreen-actor": actor });
        expect(res.status, `${path} as ${JSON.stringify(actor)}`).toBe(400);
        const error = await errorOf(res.res);
        expect(error.code).toBe("invalid_request");
        expect(JSON.stringify(error.details)).toContain("reserved");
      }
    }
    expect(await controller(e).history(10)).toHaveLength(1);
    expect(await controller(e).getRoutingState()).toMatchObject({ active: "green", epoch: 2 });
  });

  it("takes other names as a label, including ones that merely contain the reserved words", async () => {
    const e = testEnv();
    const res = await json<{ entry: { actor: string } }>(
      call(newIsolate(), e, "POST", "/admin/flip", { to: "green" }, { "x-bluegreen-actor": "ops-controller via bluegreen-cli" }),
    );
    expect(res.status).toBe(200);
    expect(res.body.entry.actor).toBe("ops-controller via bluegreen-cli");
  });
});

describe("POST /admin/rollback and GET /admin/history", () => {
  it("rolls back to the previous colour, refuses a second rollback, and lists history newest first", async () => {
    const e = testEnv();
    const router = newIsolate();
    expect((await call(router, e, "POST", "/admin/rollback")).status).toBe(409); // nothing to roll back yet
    expect((await call(router, e, "POST", "/admin/flip", { to: "green" })).status).toBe(200);
    const rb = await json<{ state: Record<string, unknown>; entry: Record<string, unknown> }>(
      call(router, e, "POST", "/admin/rollback", { reason: "p99 too high" }),
    );
    expect(rb.status).toBe(200);
    expect(rb.body.state).toMatchObject({ active: "blue", epoch: 3, phase: "rolled_back" });
    expect(rb.body.entry).toMatchObject({ from: "green", to: "blue", action: "rollback", kind: "manual", reason: "p99 too high" });

    const again = await call(router, e, "POST", "/admin/rollback", {});
    expect(again.status).toBe(409);
    expect((await errorOf(again.res)).details).toMatchObject({ reason: "nothing_to_roll_back" });

    // A flip out of rolled_back starts a new bake.
    expect((await json(call(router, e, "POST", "/admin/flip", { to: "green" }))).body).toMatchObject({ state: { phase: "baking", epoch: 4 } });

    const all = await json<{ entries: Array<{ action: string; epoch: number }> }>(call(router, e, "GET", "/admin/history"));
    expect(all.body.entries.map((h) => [h.action, h.epoch])).toEqual([["flip", 4], ["rollback", 3], ["flip", 2]]);
    const one = await json<{ entries: unknown[] }>(call(router, e, "GET", "/admin/history?limit=1"));
    expect(one.body.entries).toHaveLength(1);
    for (const limit of ["0", "-1", "abc", "501"]) {
      const res = await call(router, e, "GET", `/admin/history?limit=${limit}`);
      expect(res.status, limit).toBe(400);
      await res.res.body?.cancel();
    }
  });

  it("rejects unknown rollback fields", async () => {
    const res = await call(newIsolate(), testEnv(), "POST", "/admin/rollback", { reason: "x", to: "blue" });
    expect(res.status).toBe(400);
    expect((await errorOf(res.res)).details).toEqual([expect.objectContaining({ message: expect.stringContaining("to") })]);
  });
});

describe("methods and paths", () => {
  it("405 for a wrong method, 404 for an unknown admin path", async () => {
    const router = newIsolate();
    const e = testEnv();
    for (const [method, path, status, allow] of [
      ["GET", "/admin/flip", 405, "POST"],
      ["GET", "/admin/rollback", 405, "POST"],
      ["POST", "/admin/status", 405, "GET"],
      ["DELETE", "/admin/history", 405, "GET"],
      ["POST", "/admin/timeline", 405, "GET"],
      ["GET", "/admin/nope", 404, null],
      ["GET", "/admin/", 404, null],
    ] as const) {
      const res = await call(router, e, method, path);
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(res.res.headers.get("allow")).toBe(allow);
      await errorOf(res.res);
    }
  });
});
