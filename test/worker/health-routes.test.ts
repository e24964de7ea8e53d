// Covers worker/src/health-routes.ts: the router answers GET /health and
// GET /ready itself from its routing state (the controller's probe health of
// each colour): 200 while the active colour is healthy, 503 while it is
// unhealthy or not probed yet, following the active colour across a flip;
// anonymous answers carry only the status and the active colour (no digest,
// version, counts or origin URL), the admin token adds the routing state;
// no origin is contacted and nothing is counted; a preview with the admin
// token reads the named colour's own /health (bluegreen validate --via-router).
import { describe, expect, it } from "vitest";
import { RouterHealth, RouterHealthAdmin } from "../../contract/router-health.js";
import { initialRoutingState } from "../../worker/src/routing-state.js";
import { ADMIN_TOKEN, controller, errorOf, flipDirect, newIsolate, origins, recorded, sendSettled, testEnv, type Router } from "./helpers.js";

const DIGEST = "sha256:0123456789abcdef";

function get(path: string, headers: Record<string, string> = {}, method = "GET"): Request {
  return new Request(`https://router.test${path}`, { method, headers });
}

/** GET `path` after bringing the router's copy of the routing state up to date. */
async function check(router: Router, e: Env, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  await router.isolate.link(e.DEPLOYMENT_NAME).sync(e);
  const res = await sendSettled(router, e, get(path, headers));
  expect(res.headers.get("cache-control")).toBe("no-store");
  return { status: res.status, body: await res.json() };
}

async function probe(e: Env, color: "blue" | "green", ok: boolean): Promise<void> {
  await controller(e).recordProbe(
    color,
    ok ? { ok, at: Date.now(), version: color === "blue" ? "v1" : "v2", digest: DIGEST, latencyMs: 3 } : { ok, at: Date.now(), error: "HTTP 503: draining" },
  );
}

describe("GET /health and GET /ready", () => {
  it("503 while the active colour is not probed yet, 200 while it is healthy, 503 when it is not; they follow a flip", async () => {
    const e = testEnv();
    const router = newIsolate();
    for (const path of ["/health", "/ready"]) {
      // An isolate whose copy predates the controller's first probe (e.g. a cold one that read an early KV copy).
      const early = newIsolate();
      early.isolate.link(e.DEPLOYMENT_NAME).accept(initialRoutingState(1));
      const res = await sendSettled(early, e, get(path));
      expect({ status: res.status, body: await res.json() }, path).toEqual({ status: 503, body: { status: "unknown", active: "blue" } });
    }
    // The controller probed both colours at start (the test's real model servers are up).
    for (const path of ["/health", "/ready"]) {
      expect(await check(router, e, path), path).toEqual({ status: 200, body: { status: "healthy", active: "blue" } });
    }
    await probe(e, "green", false);
    for (const path of ["/health", "/ready"]) {
      expect(await check(router, e, path), path).toEqual({ status: 200, body: { status: "healthy", active: "blue" } });
    }
    await probe(e, "green", true);
    await flipDirect(e, "green");
    await probe(e, "green", false);
    for (const path of ["/health", "/ready"]) {
      expect(await check(router, e, path), path).toEqual({ status: 503, body: { status: "unhealthy", active: "green" } });
    }
  });

  it("anonymously shows only the status and the active colour; the admin token adds the routing state, a wrong one does not", async () => {
    const e = testEnv();
    const router = newIsolate();
    await probe(e, "blue", true);
    const anonymous = await check(router, e, "/health");
    expect(Object.keys(anonymous.body as object).sort()).toEqual(["active", "status"]);
    expect(RouterHealth.parse(anonymous.body)).toEqual({ status: "healthy", active: "blue" });
    for (const forbidden of [DIGEST, "v1", "127.0.0.1", "request", "epoch"]) expect(JSON.stringify(anonymous.body)).not.toContain(forbidden);

    const wrong = await check(router, e, "/health", { authorization: "Bearer not-the-token" });
    expect(wrong.body).toEqual(anonymous.body);

    const admin = await check(router, e, "/health", { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(admin.status).toBe(200);
    expect(RouterHealthAdmin.parse(admin.body)).toMatchObject({
      status: "healthy",
      active: "blue",
      epoch: 1,
      phase: "stable",
      health: { blue: "healthy", green: "healthy" },
    });
    expect(JSON.stringify(admin.body)).not.toContain(DIGEST);
  });

  it("contacts no origin and counts nothing; HEAD works, other methods are 405", async () => {
    const testId = crypto.randomUUID();
    const e = testEnv({ BLUE_ORIGINS: origins.TEST_RECORDER_A, GREEN_ORIGINS: origins.TEST_RECORDER_B, PROXY_PATHS: "/*" });
    const router = newIsolate();
    // The controller's start probe found the recorders up: they answer /health with a 200.
    for (let i = 0; i < 20; i++) {
      const res = await sendSettled(router, e, get(i % 2 === 0 ? "/health" : "/ready", { "x-test-id": testId }));
      expect(res.status).toBe(200);
      await res.body?.cancel();
    }
    const head = await sendSettled(router, e, get("/health", { "x-test-id": testId }, "HEAD"));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const post = await sendSettled(router, e, get("/health", { "x-test-id": testId }, "POST"));
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    expect((await errorOf(post)).code).toBe("method_not_allowed");

    expect(await recorded(origins.TEST_RECORDER_A, testId)).toHaveLength(0);
    expect(await recorded(origins.TEST_RECORDER_B, testId)).toHaveLength(0);
    await router.isolate.link(e.DEPLOYMENT_NAME).sync(e);
    const status = await controller(e).status();
    expect(status.metrics.blue.slow.requests + status.metrics.green.slow.requests).toBe(0);
  });

  it("a preview with the admin token reads the named colour's own /health and /ready; without the token it is 401", async () => {
    const e = testEnv();
    const router = newIsolate();
    const preview = { "x-bluegreen-preview": "green", authorization: `Bearer ${ADMIN_TOKEN}` };
    const health = await sendSettled(router, e, get("/health", preview));
    expect(health.status).toBe(200);
    expect(health.headers.get("x-bluegreen-color")).toBe("green");
    expect(await health.json()).toMatchObject({ status: "healthy", model_version: "v2", model_digest: expect.stringMatching(/^sha256:/) });
    const ready = await sendSettled(router, e, get("/ready", preview));
    expect(await ready.json()).toMatchObject({ status: "ready", model_version: "v2" });

    const refused = await sendSettled(router, e, get("/health", { "x-bluegreen-preview": "green" }));
    expect(refused.status).toBe(401);
    expect((await errorOf(refused)).code).toBe("unauthorized");
  });
});
