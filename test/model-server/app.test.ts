// Covers: the model server's app.ts in process (fake model, no socket) — route
// contracts, 503 while loading/warming/draining, 404/405, the one error
// handler (a bug is a logged 500), origin token, injected faults and their
// effect on request_count/error_rate, request ids.
import { describe, expect, it } from "vitest";
import { ErrorBody } from "../../contract/errors.js";
import { HealthyResponse, ReadyResponse, SentimentBatchResponse, SentimentPrediction, UnhealthyResponse } from "../../contract/prediction.js";
import { buildTestApp, fakeModel, jsonInit } from "../helpers/model-server-fixtures.js";

describe("routes", () => {
  it("POST /predict answers a Prediction", async () => {
    const { app } = buildTestApp();
    const res = await app.request("/predict", jsonInit({ text: "a good day" }));
    expect(res.status).toBe(200);
    expect(SentimentPrediction.parse(await res.json())).toEqual({ prediction: "positive", confidence: 0.9, model_version: "v1" });
  });

  it("POST /predict/batch answers one prediction per text, in order", async () => {
    const { app } = buildTestApp();
    const res = await app.request("/predict/batch", jsonInit({ texts: ["good", "bad", "meh"] }));
    expect(res.status).toBe(200);
    const body = SentimentBatchResponse.parse(await res.json());
    expect(body.predictions.map((p) => p.prediction)).toEqual(["positive", "negative", "neutral"]);
  });

  it("GET /health reports model identity and traffic", async () => {
    const { app } = buildTestApp();
    await app.request("/predict", jsonInit({ text: "good" }));
    await app.request("/predict", jsonInit({ text: "" }));
    const res = await app.request("/health");
    expect(res.status).toBe(200);
    const body = HealthyResponse.parse(await res.json());
    expect(body).toMatchObject({ model_name: "sentiment", model_version: "v1", model_digest: fakeModel().digest, request_count: 2, error_rate: 0 });
  });

  it("GET /ready is 200 when ready", async () => {
    const { app } = buildTestApp();
    const res = await app.request("/ready");
    expect(ReadyResponse.parse(await res.json())).toEqual({ status: "ready", model_version: "v1" });
  });

  it("health and readiness probes are not counted as predictions", async () => {
    const { app, metrics } = buildTestApp();
    await app.request("/health");
    await app.request("/ready");
    expect(metrics.requestCount).toBe(0);
  });
});

describe("not ready", () => {
  it.each([
    ["loading", "model loading"],
    ["warming", "model warming up"],
    ["draining", "draining"],
  ] as const)("while %s: /health and /ready are 503", async (phase, reason) => {
    const { app } = buildTestApp({ phase });
    const health = await app.request("/health");
    expect(health.status).toBe(503);
    expect(UnhealthyResponse.parse(await health.json())).toEqual({ status: "unhealthy", reason });
    const ready = await app.request("/ready");
    expect(ready.status).toBe(503);
    expect(ErrorBody.parse(await ready.json()).error.code).toBe("unavailable");
  });

  it("while loading, /predict is 503 (no model yet)", async () => {
    const { app } = buildTestApp({ phase: "loading" });
    const res = await app.request("/predict", jsonInit({ text: "good" }));
    expect(res.status).toBe(503);
    expect(ErrorBody.parse(await res.json()).error.code).toBe("unavailable");
  });

  it("while draining, predictions still answer but close their connection", async () => {
    const { app } = buildTestApp({ phase: "draining" });
    const res = await app.request("/predict", jsonInit({ text: "good" }));
    expect(res.status).toBe(200);
    expect(res.headers.get("connection")).toBe("close");
  });
});

describe("404 and 405", () => {
  it.each([
    ["GET", "/predict", "POST"],
    ["PUT", "/predict/batch", "POST"],
    ["POST", "/health", "GET, HEAD"],
    ["DELETE", "/ready", "GET, HEAD"],
  ])("%s %s → 405 with Allow: %s", async (method, path, allow) => {
    const { app } = buildTestApp();
    const res = await app.request(path, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe(allow);
    expect(ErrorBody.parse(await res.json()).error.code).toBe("method_not_allowed");
  });

  it.each(["/", "/predictions", "/predict/batch/x", "/fault"])("GET %s → 404 JSON", async (path) => {
    const { app } = buildTestApp();
    const res = await app.request(path);
    expect(res.status).toBe(404);
    expect(ErrorBody.parse(await res.json()).error.code).toBe("not_found");
  });
});

describe("bugs are logged 500s", () => {
  it("a model that throws answers 500 internal, logs the stack, and counts as an error", async () => {
    const model = fakeModel({
      predict: () => {
        throw new TypeError("boom in model");
      },
    });
    const { app, logs, metrics } = buildTestApp({ model });
    const res = await app.request("/predict", jsonInit({ text: "secret user text" }, "POST", { "x-request-id": "req-1" }));
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: "internal", message: "internal server error" } });
    const logged = logs.find((l) => l.event === "unhandled_error");
    expect(logged).toMatchObject({ level: "error", error: "TypeError", message: "boom in model", request_id: "req-1" });
    expect(String(logged?.stack)).toContain("boom in model");
    expect(metrics.window.counts()).toMatchObject({ requests: 1, errors: 1 });
  });

  it("a model answering outside the contract is a 500, not a bad answer", async () => {
    const model = fakeModel({ predict: () => ({ prediction: "positive", confidence: 1.5 }) });
    const { app, logs } = buildTestApp({ model });
    const res = await app.request("/predict", jsonInit({ text: "good" }));
    expect(res.status).toBe(500);
    expect(logs.some((l) => l.event === "unhandled_error" && l.error === "InvalidModelOutputError")).toBe(true);
  });
});

describe("origin token", () => {
  const TOKEN = "origin-token-for-tests";
  it.each([
    ["no header", {}],
    ["a wrong token", { "x-origin-token": "nope" }],
    ["a prefix of the token", { "x-origin-token": TOKEN.slice(0, 5) }],
  ])("/predict with %s → 401 without echoing the token", async (_name, headers) => {
    const { app } = buildTestApp({ originToken: TOKEN });
    const res = await app.request("/predict", jsonInit({ text: "good" }, "POST", headers));
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(ErrorBody.parse(JSON.parse(text)).error.code).toBe("unauthorized");
    expect(text).not.toContain(TOKEN);
  });

  it("predictions without the right token are not counted: junk cannot dilute the error rate", async () => {
    const { app, metrics } = buildTestApp({ originToken: TOKEN, faultRate: 1 });
    expect((await app.request("/predict", jsonInit({ text: "good" }, "POST", { "x-origin-token": TOKEN }))).status).toBe(500);
    for (let i = 0; i < 10; i++) {
      const path = i % 2 ? "/predict/batch" : "/predict";
      expect((await app.request(path, jsonInit(i % 2 ? { texts: ["good"] } : { text: "good" }, "POST", { "x-origin-token": "nope" }))).status).toBe(401);
    }
    expect((await app.request("/predict", { method: "GET" })).status).toBe(401);
    const health = HealthyResponse.parse(await (await app.request("/health")).json());
    expect(health).toMatchObject({ request_count: 1, error_rate: 1 });
    expect(metrics.window.counts()).toMatchObject({ requests: 1, errors: 1 });
  });

  it("the right token passes; /health needs none", async () => {
    const { app, logs } = buildTestApp({ originToken: TOKEN });
    expect((await app.request("/predict/batch", jsonInit({ texts: ["good"] }, "POST", { "x-origin-token": TOKEN }))).status).toBe(200);
    expect((await app.request("/health")).status).toBe(200);
    expect(JSON.stringify(logs)).not.toContain(TOKEN);
  });
});

describe("faults", () => {
  it("an injected fault answers 500, counts as an error, and is not logged as a bug", async () => {
    const { app, metrics, logs } = buildTestApp({ faultRate: 1 });
    const res = await app.request("/predict", jsonInit({ text: "good" }));
    expect(res.status).toBe(500);
    expect(ErrorBody.parse(await res.json()).error.code).toBe("internal");
    const health = HealthyResponse.parse(await (await app.request("/health")).json());
    expect(health.error_rate).toBe(1);
    expect(metrics.requestCount).toBe(1);
    expect(logs.some((l) => l.event === "unhandled_error")).toBe(false);
  });

  it("bad input still gets its 4xx under faults, and does not count as an error", async () => {
    const { app, metrics } = buildTestApp({ faultRate: 1 });
    expect((await app.request("/predict", jsonInit({ text: " " }))).status).toBe(400);
    expect(metrics.window.counts()).toMatchObject({ requests: 1, errors: 0 });
  });

  it("FAULT_LATENCY_MS delays each prediction", async () => {
    const { app, sleeps } = buildTestApp({ faultLatencyMs: 250 });
    await app.request("/predict", jsonInit({ text: "good" }));
    await app.request("/predict/batch", jsonInit({ texts: ["good", "bad"] }));
    expect(sleeps).toEqual([250, 250]);
  });

  it("with faultControl, PUT /fault changes the faults and GET /fault reads them", async () => {
    const { app } = buildTestApp({ faultControl: true });
    const put = await app.request("/fault", jsonInit({ rate: 1 }, "PUT"));
    const settings = { rate: 1, latencyMs: 0, silentRate: 0, silentMode: "random", silentConfidence: null };
    expect(await put.json()).toEqual(settings);
    expect((await app.request("/predict", jsonInit({ text: "good" }))).status).toBe(500);
    expect(await (await app.request("/fault")).json()).toEqual(settings);
    expect((await app.request("/fault", { method: "POST" })).status).toBe(405);
  });

  it("PUT /fault is behind the origin token", async () => {
    const { app, faults } = buildTestApp({ faultControl: true, originToken: "tok-123" });
    expect((await app.request("/fault", jsonInit({ rate: 1 }, "PUT"))).status).toBe(401);
    expect(faults.settings.rate).toBe(0);
    expect((await app.request("/fault", jsonInit({ rate: 1 }, "PUT", { "x-origin-token": "tok-123" }))).status).toBe(200);
    expect(faults.settings.rate).toBe(1);
  });
});

describe("request ids and access log", () => {
  it("echoes a valid x-request-id and replaces an invalid one", async () => {
    const { app } = buildTestApp();
    expect((await app.request("/health", { headers: { "x-request-id": "abc-123" } })).headers.get("x-request-id")).toBe("abc-123");
    const replaced = (await app.request("/health", { headers: { "x-request-id": "bad id\twith spaces" } })).headers.get("x-request-id");
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("logs one request line per request without the body", async () => {
    const { app, logs } = buildTestApp();
    await app.request("/predict", jsonInit({ text: "my private words" }));
    const lines = logs.filter((l) => l.event === "request");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ method: "POST", path: "/predict", status: 200 });
    expect(JSON.stringify(logs)).not.toContain("private words");
  });
});
