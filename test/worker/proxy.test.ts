// Covers worker/src/origin-headers.ts, attempt.ts and traffic.ts: headers and pass-through, with
// recorder origins on loopback: what an origin receives (x-origin-token,
// x-request-id, no hop-by-hop or router headers, never Authorization or
// Cookie, no header holding the admin token), what the client gets back
// (x-bluegreen-color/-epoch, x-request-id, no hop-by-hop), which other paths
// are passed on (only PROXY_PATHS, never /fault in any spelling; the rest is
// 404 without an origin seeing it), and preview routing that needs the admin
// token.
import { describe, expect, it } from "vitest";
import { routerConfig } from "../../worker/src/config.js";
import { serve } from "../../worker/src/failover.js";
import { IsolateState } from "../../worker/src/isolate.js";
import { RequestRefused, attemptOrigin } from "../../worker/src/attempt.js";
import { initialRoutingState } from "../../worker/src/routing-state.js";
import { ADMIN_TOKEN, ORIGIN_TOKEN, errorOf, newIsolate, origins, predictRequest, recorded, sendSettled, slowWindowOnce, testEnv } from "./helpers.js";

/** Blue = recorder A, green = recorder B. */
function recorderEnv(overrides: Partial<Record<keyof Env, unknown>> = {}): Env {
  return testEnv({ BLUE_ORIGINS: origins.TEST_RECORDER_A, GREEN_ORIGINS: origins.TEST_RECORDER_B, ...overrides });
}

describe("origin request headers", () => {
  it("adds x-origin-token and x-request-id, drops hop-by-hop and router headers", async () => {
    const testId = crypto.randomUUID();
    const res = await sendSettled(
      newIsolate(),
      recorderEnv(),
      predictRequest("fine", {
        "x-test-id": testId,
        "x-request-id": "req-123",
        "x-origin-token": "client-forged",
        connection: "x-drop-me",
        "x-drop-me": "1",
        "keep-alive": "timeout=5",
        "x-custom": "kept",
      }),
    );
    expect(res.status).toBe(200);
    const [got] = await recorded(origins.TEST_RECORDER_A, testId);
    expect(got?.headers["x-origin-token"]).toBe(ORIGIN_TOKEN);
    expect(got?.headers["x-request-id"]).toBe("req-123");
    expect(got?.headers["x-custom"]).toBe("kept");
    expect(got?.headers["x-drop-me"]).toBeUndefined();
    expect(got?.headers["keep-alive"]).toBeUndefined();
    expect(res.headers.get("x-request-id")).toBe("req-123");
  });

  it("generates a request id when the client sends none or a malformed one", async () => {
    const testId = crypto.randomUUID();
    const res = await sendSettled(newIsolate(), recorderEnv(), predictRequest("fine", { "x-test-id": testId, "x-request-id": "bad id\twith spaces" }));
    const [got] = await recorded(origins.TEST_RECORDER_A, testId);
    expect(got?.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get("x-request-id")).toBe(got?.headers["x-request-id"]);
  });

  it("sends no x-origin-token when ORIGIN_TOKEN is unset", async () => {
    const testId = crypto.randomUUID();
    await sendSettled(newIsolate(), recorderEnv({ ORIGIN_TOKEN: "" }), predictRequest("fine", { "x-test-id": testId }));
    const [got] = await recorded(origins.TEST_RECORDER_A, testId);
    expect(got?.headers["x-origin-token"]).toBeUndefined();
  });
});

describe("answers", () => {
  it("carry x-bluegreen-color and -epoch, keep end-to-end headers, drop hop-by-hop ones", async () => {
    const res = await sendSettled(newIsolate(), recorderEnv(), predictRequest());
    expect(res.headers.get("x-bluegreen-color")).toBe("blue");
    expect(res.headers.get("x-bluegreen-epoch")).toBe("1");
    expect(res.headers.get("x-origin-name")).toBe("recorder-a");
    expect(res.headers.get("x-extra")).toBe("kept");
    expect(res.headers.get("keep-alive")).toBeNull();
    expect(res.headers.has("x-bluegreen-failover")).toBe(false);
  });

  it("passes on PROXY_PATHS as-is (method, path, query, body, origin token); exact entries and /prefix/* only", async () => {
    const testId = crypto.randomUUID();
    const router = newIsolate();
    const e = recorderEnv({ PROXY_PATHS: "/robots.txt,/models/*" });
    const get = await sendSettled(router, e, new Request("https://router.test/models/info?x=1&y=two", { headers: { "x-test-id": testId } }));
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ origin: "recorder-a", path: "/models/info" });
    const put = await sendSettled(
      router,
      e,
      new Request("https://router.test/models/upload", { method: "PUT", headers: { "x-test-id": testId, "content-type": "text/plain" }, body: "raw body" }),
    );
    expect(put.status).toBe(200);
    await put.body?.cancel();
    const robots = await sendSettled(router, e, new Request("https://router.test/robots.txt", { headers: { "x-test-id": testId } }));
    expect(robots.status).toBe(200);
    await robots.body?.cancel();
    for (const path of ["/robots.txt/x", "/models", "/Models/info", "/robots.txtx", "/other"]) {
      const res = await sendSettled(router, e, new Request(`https://router.test${path}`, { headers: { "x-test-id": testId } }));
      expect(res.status, path).toBe(404);
      expect((await errorOf(res)).code, path).toBe("not_found");
    }
    const got = await recorded(origins.TEST_RECORDER_A, testId);
    expect(got.map((r) => [r.method, r.path, r.body])).toEqual([
      ["GET", "/models/info?x=1&y=two", ""],
      ["PUT", "/models/upload", "raw body"],
      ["GET", "/robots.txt", ""],
    ]);
    expect(got.every((r) => r.headers["x-origin-token"] === ORIGIN_TOKEN)).toBe(true);
  });

  it("by default (PROXY_PATHS empty) every path but the predictions is 404 JSON, and no origin is contacted", async () => {
    const testId = crypto.randomUUID();
    const router = newIsolate();
    const e = recorderEnv();
    for (const [method, path] of [["GET", "/"], ["GET", "/robots.txt"], ["POST", "/anything"], ["DELETE", "/models/1"], ["PUT", "/fault"], ["GET", "/metrics"]] as const) {
      const res = await sendSettled(router, e, new Request(`https://router.test${path}`, { method, headers: { "x-test-id": testId } }));
      expect(res.status, `${method} ${path}`).toBe(404);
      expect((await errorOf(res)).code).toBe("not_found");
    }
    expect(await recorded(origins.TEST_RECORDER_A, testId)).toHaveLength(0);
    expect(await recorded(origins.TEST_RECORDER_B, testId)).toHaveLength(0);
  });

  it("never passes on /fault, even listed or under /*, in any spelling an origin might decode", async () => {
    const testId = crypto.randomUUID();
    const router = newIsolate();
    const e = recorderEnv({ PROXY_PATHS: "/*,/fault,/fault/*,/static/*" });
    const paths = ["/fault", "/FAULT", "/%66ault", "/%46AULT", "/fault/", "/fault/x", "/static/../fault", "/static/%2e%2e/fault", "/static/..%2ffault", "/static/%2Ffault", "/static/fault"];
    for (const path of paths) {
      for (const method of ["GET", "PUT"]) {
        const res = await sendSettled(
          router,
          e,
          new Request(`https://router.test${path}`, {
            method,
            headers: { "x-test-id": testId, "content-type": "application/json" },
            body: method === "PUT" ? '{"rate":1}' : undefined,
          }),
        );
        expect(res.status, `${method} ${path}`).toBe(404);
        await res.body?.cancel();
      }
    }
    expect(await recorded(origins.TEST_RECORDER_A, testId)).toHaveLength(0);
    // The same router still passes on an ordinary path under /*.
    const ok = await sendSettled(router, e, new Request("https://router.test/faults-report", { headers: { "x-test-id": testId } }));
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
  });

  it("passes an origin's 4xx through unchanged (no failover for client errors)", async () => {
    const res = await sendSettled(newIsolate(), recorderEnv(), predictRequest("fine", { "x-test-status": "422" }));
    expect(res.status).toBe(422);
    expect(res.headers.get("x-bluegreen-color")).toBe("blue");
    expect(res.headers.has("x-bluegreen-failover")).toBe(false);
  });
});

describe("preview routing", () => {
  it("x-bluegreen-preview: green with the admin token goes to green, without forwarding the token", async () => {
    const testId = crypto.randomUUID();
    const res = await sendSettled(
      newIsolate(),
      recorderEnv(),
      predictRequest("fine", { "x-test-id": testId, "x-bluegreen-preview": "green", authorization: `Bearer ${ADMIN_TOKEN}` }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("x-bluegreen-color")).toBe("green");
    const got = await recorded(origins.TEST_RECORDER_B, testId);
    expect(got).toHaveLength(1);
    expect(got[0]?.headers.authorization).toBeUndefined();
    expect(got[0]?.headers["x-bluegreen-preview"]).toBeUndefined();
    expect(await recorded(origins.TEST_RECORDER_A, testId)).toHaveLength(0);
  });

  it("without the admin token, or with a wrong one, is 401 and reaches no origin", async () => {
    const testId = crypto.randomUUID();
    const router = newIsolate();
    const e = recorderEnv();
    for (const auth of [undefined, "Bearer wrong-token", `Bearer ${ADMIN_TOKEN}x`, `Basic ${ADMIN_TOKEN}`]) {
      const headers: Record<string, string> = { "x-test-id": testId, "x-bluegreen-preview": "green" };
      if (auth !== undefined) headers.authorization = auth;
      const res = await sendSettled(router, e, predictRequest("fine", headers));
      expect(res.status, String(auth)).toBe(401);
      expect((await errorOf(res)).code).toBe("unauthorized");
    }
    // Also on other paths.
    const other = await sendSettled(router, e, new Request("https://router.test/health", { headers: { "x-test-id": testId, "x-bluegreen-preview": "green" } }));
    expect(other.status).toBe(401);
    await other.body?.cancel();
    expect(await recorded(origins.TEST_RECORDER_A, testId)).toHaveLength(0);
    expect(await recorded(origins.TEST_RECORDER_B, testId)).toHaveLength(0);
  });

  it("an unknown preview colour is 400", async () => {
    const res = await sendSettled(
      newIsolate(),
      recorderEnv(),
      predictRequest("fine", { "x-bluegreen-preview": "purple", authorization: `Bearer ${ADMIN_TOKEN}` }),
    );
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("invalid_request");
  });

});

describe("only predictions count", () => {
  it("answers on allowed paths — 5xx or not — neither reach the controller's windows nor cool an origin down", async () => {
    const testId = crypto.randomUUID();
    const router = newIsolate();
    const e = recorderEnv({ PROXY_PATHS: "/*", FAILOVER: "off" });
    for (let i = 0; i < 20; i++) {
      const res = await sendSettled(router, e, new Request(`https://router.test/junk/${i}`, { headers: { "x-test-id": testId, "x-test-status": i % 2 === 0 ? "503" : "404" } }));
      expect(res.status).toBe(i % 2 === 0 ? 503 : 404);
      await res.body?.cancel();
    }
    expect(await recorded(origins.TEST_RECORDER_A, testId)).toHaveLength(20);
    expect(router.isolate.pools.cooling(origins.TEST_RECORDER_A, Date.now())).toBe(false);
    const predicted = await sendSettled(router, e, predictRequest("fine", { "x-test-id": testId }));
    expect(predicted.status).toBe(200);
    await predicted.body?.cancel();
    await router.isolate.link(e.DEPLOYMENT_NAME).sync(e);
    // Its relay forwards in the background; by then the 20 answers above would have been counted too.
    expect(await slowWindowOnce(e, "blue", 1)).toMatchObject({ requests: 1, errors: { total: 0 } });
  });
});

describe("a request the runtime refuses to send", () => {
  it("is RequestRefused (our bug), not a connect error: no attempt counted, no origin cooled down, nothing sent", async () => {
    const testId = crypto.randomUUID();
    const refused = { method: "GET", pathAndQuery: "/predict", headers: new Headers({ "x-test-id": testId }), body: new Uint8Array([123, 125]) };
    await expect(attemptOrigin(origins.TEST_RECORDER_A, refused, 1_000)).rejects.toBeInstanceOf(RequestRefused);

    const e = recorderEnv({ FAILOVER: "standby" });
    const isolate = new IsolateState();
    const link = isolate.link(e.DEPLOYMENT_NAME);
    const plan = { state: initialRoutingState(Date.now()), config: routerConfig(e), pools: isolate.pools, link, requestId: "refused-1", replayable: true, preview: null, prediction: true, labels: null, mirror: null, request: refused };
    await expect(serve(plan)).rejects.toBeInstanceOf(RequestRefused);
    expect(link.telemetry.pending).toBe(false);
    expect(isolate.pools.cooling(origins.TEST_RECORDER_A, Date.now())).toBe(false);
    expect(isolate.pools.cooling(origins.TEST_RECORDER_B, Date.now())).toBe(false);
    expect(await recorded(origins.TEST_RECORDER_A, testId)).toHaveLength(0);
    expect(await recorded(origins.TEST_RECORDER_B, testId)).toHaveLength(0);
  });
});

describe("client credentials", () => {
  it("the admin token sent by a client — as Authorization, as Cookie, inside other headers — is seen by no origin", async () => {
    const testId = crypto.randomUUID();
    const router = newIsolate();
    const e = recorderEnv({ PROXY_PATHS: "/static/*" });
    const carriers: Array<Record<string, string>> = [
      { authorization: `Bearer ${ADMIN_TOKEN}` },
      { cookie: `session=${ADMIN_TOKEN}; theme=dark` },
      { "x-forwarded-authorization": `Bearer ${ADMIN_TOKEN}` },
      { "x-api-key": ADMIN_TOKEN, "x-kept": "kept" },
      { referer: `https://example.com/?token=${ADMIN_TOKEN}` },
      { [`x-${ADMIN_TOKEN}`]: "1" },
    ];
    for (const headers of carriers) {
      const all = { "x-test-id": testId, ...headers };
      expect((await sendSettled(router, e, predictRequest("fine", all))).status).toBe(200);
      expect((await sendSettled(router, e, new Request("https://router.test/static/app.js", { headers: all }))).status).toBe(200);
      // A preview: the same token, now a valid admin credential, still stays at the edge.
      const preview = await sendSettled(router, e, predictRequest("fine", { ...all, authorization: `Bearer ${ADMIN_TOKEN}`, "x-bluegreen-preview": "green" }));
      expect(preview.status).toBe(200);
    }
    const seen = [...(await recorded(origins.TEST_RECORDER_A, testId)), ...(await recorded(origins.TEST_RECORDER_B, testId))];
    expect(seen).toHaveLength(carriers.length * 3);
    for (const request of seen) {
      const text = JSON.stringify(request.headers);
      expect(text, `${request.method} ${request.path}`).not.toContain(ADMIN_TOKEN);
      expect(request.headers.authorization).toBeUndefined();
      expect(request.headers.cookie).toBeUndefined();
    }
    expect(seen.filter((r) => r.headers["x-kept"] === "kept")).toHaveLength(3);
  });

  it("a client's own Authorization and Cookie are stripped too: origins trust x-origin-token, not clients", async () => {
    const testId = crypto.randomUUID();
    await sendSettled(newIsolate(), recorderEnv(), predictRequest("fine", { "x-test-id": testId, authorization: "Bearer client-own", cookie: "a=b" }));
    const [got] = await recorded(origins.TEST_RECORDER_A, testId);
    expect(got?.headers.authorization).toBeUndefined();
    expect(got?.headers.cookie).toBeUndefined();
    expect(got?.headers["x-origin-token"]).toBe(ORIGIN_TOKEN);
  });
});
