// Covers: the real model-server process (v1 and v2) over HTTP on loopback —
// the listening line, every route's answer parsed with the contract's schemas
// (contract/prediction.ts), the seed client's flow, /health's digest matching
// the verified artifact, 404/405 as JSON, and that v1 and v2 are different
// models.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorBody } from "../../contract/errors.js";
import { HealthyResponse, ReadyResponse, SentimentBatchResponse, SentimentPrediction } from "../../contract/prediction.js";
import { loadModel } from "../../model-server/index.js";
import { call, postJson } from "../helpers/http.js";
import { REPO_ROOT, startModelServer, type ModelServerHandle } from "../helpers/model-server.js";

const MODELS = join(REPO_ROOT, "model-server", "models", "sentiment");
let v1: ModelServerHandle;
let v2: ModelServerHandle;

beforeAll(async () => {
  [v1, v2] = await Promise.all([startModelServer({ version: "v1" }), startModelServer({ version: "v2" })]);
});
afterAll(async () => {
  await Promise.all([v1?.stop(), v2?.stop()]);
});

describe("startup", () => {
  it("prints a listening line with the bound port and a ready line", () => {
    const listening = v1.events().find((e) => e.event === "listening");
    expect(listening).toMatchObject({ url: `http://127.0.0.1:${v1.port}`, port: v1.port });
    expect(v1.port).toBeGreaterThan(0);
    expect(v1.events().some((e) => e.event === "ready")).toBe(true);
  });
});

describe("the seed client's flow", () => {
  it("GET /health, then POST /predict {text} reading prediction, confidence, model_version", async () => {
    const health = await call(`${v2.url}/health`);
    expect(health.status).toBe(200);
    expect((health.body as { status: string }).status).toBe("healthy");
    const res = await postJson(`${v2.url}/predict`, { text: "This product is absolutely wonderful, I love it!" });
    expect(res.status).toBe(200);
    const { prediction, confidence, model_version } = res.body as Record<string, unknown>;
    expect(prediction).toBe("positive");
    expect(typeof confidence).toBe("number");
    expect(confidence).toBeGreaterThanOrEqual(0);
    expect(confidence).toBeLessThanOrEqual(1);
    expect(model_version).toBe("v2");
  });
});

describe.each([
  ["v1", () => v1],
  ["v2", () => v2],
])("%s contract", (version, server) => {
  it("GET /health is healthy with the verified artifact's digest", async () => {
    const res = await call(`${server().url}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const body = HealthyResponse.parse(res.body);
    const model = await loadModel(join(MODELS, version));
    expect(body).toMatchObject({ status: "healthy", model_name: "sentiment", model_version: version, model_digest: model.digest });
    expect(body.model_digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("GET /ready is 200", async () => {
    const res = await call(`${server().url}/ready`);
    expect(res.status).toBe(200);
    expect(ReadyResponse.parse(res.body).model_version).toBe(version);
  });

  it("POST /predict answers a SentimentPrediction of this version", async () => {
    const res = await postJson(`${server().url}/predict`, { text: "terrible, awful, broken and useless" });
    expect(res.status).toBe(200);
    expect(SentimentPrediction.parse(res.body)).toMatchObject({ prediction: "negative", model_version: version });
  });

  it("POST /predict/batch answers one SentimentPrediction per text, in order (64 at most)", async () => {
    const texts = Array.from({ length: 64 }, (_, i) => (i % 2 === 0 ? "great, I love it" : "awful, I hate it"));
    const res = await postJson(`${server().url}/predict/batch`, { texts });
    expect(res.status).toBe(200);
    const { predictions } = SentimentBatchResponse.parse(res.body);
    expect(predictions).toHaveLength(64);
    expect(predictions[0]?.prediction).toBe("positive");
    expect(predictions[1]?.prediction).toBe("negative");
    expect(new Set(predictions.map((p) => p.model_version))).toEqual(new Set([version]));
  });

  it("counts predictions in /health", async () => {
    const before = HealthyResponse.parse((await call(`${server().url}/health`)).body).request_count;
    await postJson(`${server().url}/predict`, { text: "ok" });
    await postJson(`${server().url}/predict`, { text: "" });
    const after = HealthyResponse.parse((await call(`${server().url}/health`)).body);
    expect(after.request_count).toBe(before + 2);
    expect(after.error_rate).toBe(0);
  });
});

describe("v1 and v2 are different models", () => {
  it("report different digests", async () => {
    const d1 = HealthyResponse.parse((await call(`${v1.url}/health`)).body).model_digest;
    const d2 = HealthyResponse.parse((await call(`${v2.url}/health`)).body).model_digest;
    expect(d1).not.toBe(d2);
  });
});

describe("unknown routes and methods", () => {
  it.each([
    ["GET", "/nope", 404, "not_found"],
    ["GET", "/predict", 405, "method_not_allowed"],
    ["DELETE", "/predict/batch", 405, "method_not_allowed"],
    ["POST", "/health", 405, "method_not_allowed"],
    ["PUT", "/fault", 404, "not_found"],
  ])("%s %s → %i JSON", async (method, path, status, code) => {
    const res = await call(`${v1.url}${path}`, { method });
    expect(res.status).toBe(status);
    expect(ErrorBody.parse(res.body).error.code).toBe(code);
  });

  it("HEAD /health answers 200 with no body", async () => {
    const res = await call(`${v1.url}/health`, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.text).toBe("");
  });
});
