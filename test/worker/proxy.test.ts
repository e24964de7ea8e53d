// Covers worker/src/proxy.ts and traffic.ts's headers and pass-through, with
// recorder origins on loopback: what an origin receives (x-origin-token,
// x-request-id, no hop-by-hop or router headers, never the admin token), what
// the client gets back (x-bluegreen-color/-epoch, x-request-id, no hop-by-hop),
// other paths proxied as-is, and preview routing that needs the admin token.
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, ORIGIN_TOKEN, errorOf, newIsolate, origins, predictRequest, recorded, sendSettled, testEnv } from "./helpers.js";

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

  it("proxies other paths as-is: method, path, query and body", async () => {
    const testId = crypto.randomUUID();
    const router = newIsolate();
    const e = recorderEnv();
    const get = await sendSettled(router, e, new Request("https://router.test/models/info?x=1&y=two", { headers: { "x-test-id": testId } }));
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ origin: "recorder-a", path: "/models/info" });
    const put = await sendSettled(
      router,
      e,
      new Request("https://router.test/anything", { method: "PUT", headers: { "x-test-id": testId, "content-type": "text/plain" }, body: "raw body" }),
    );
    expect(put.status).toBe(200);
    const got = await recorded(origins.TEST_RECORDER_A, testId);
    expect(got.map((r) => [r.method, r.path, r.body])).toEqual([
      ["GET", "/models/info?x=1&y=two", ""],
      ["PUT", "/anything", "raw body"],
    ]);
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

  it("a client Authorization header is forwarded on normal requests", async () => {
    const testId = crypto.randomUUID();
    await sendSettled(newIsolate(), recorderEnv(), predictRequest("fine", { "x-test-id": testId, authorization: "Bearer client-own" }));
    const [got] = await recorded(origins.TEST_RECORDER_A, testId);
    expect(got?.headers.authorization).toBe("Bearer client-own");
  });
});
