// Covers contract/origin.ts and the origin contract's answers in
// contract/prediction.ts: the /health rule shared by the controller's probes
// and `validate` (any 2xx is healthy whatever the body, unless a JSON body
// says "unhealthy"; a missing route names the contract's address), the
// optional facts read leniently (absent or mistyped = not reported, other
// fields ignored), and the minimal prediction answer (a string and a
// version; confidence optional but checked when present) beside our own
// server's stricter one.
import { describe, expect, it } from "vitest";
import { jsonOrUndefined, judgeHealth, ORIGIN_CONTRACT_DOC } from "../../contract/origin.js";
import { BatchResponse, Prediction, SentimentPrediction } from "../../contract/prediction.js";

describe("judgeHealth", () => {
  it("calls the seed's FastAPI answer healthy and keeps its version", () => {
    const seed = { status: "healthy", model_version: "v1", uptime_seconds: 3.5, request_count: 0, error_rate: 0.0 };
    expect(judgeHealth(200, seed)).toEqual({ healthy: true, facts: seed });
  });

  it("calls any 2xx healthy, with a JSON body of any shape, a text body or none", () => {
    for (const body of [{ ok: true }, [], "OK", undefined, null]) {
      expect(judgeHealth(200, body), JSON.stringify(body)).toEqual({ healthy: true, facts: {} });
    }
    expect(judgeHealth(200, { status: "ok" })).toEqual({ healthy: true, facts: { status: "ok" } });
    expect(judgeHealth(204, undefined).healthy).toBe(true);
  });

  it("believes a JSON body that says unhealthy, even with a 200", () => {
    expect(judgeHealth(200, { status: "unhealthy" })).toMatchObject({ healthy: false, problem: "HTTP 200: unhealthy" });
  });

  it("calls any other status unhealthy, with the reason when the body gives one", () => {
    expect(judgeHealth(503, { status: "unhealthy" })).toMatchObject({ healthy: false, problem: "HTTP 503: unhealthy" });
    expect(judgeHealth(503, { status: "unhealthy", reason: "loading" })).toMatchObject({ healthy: false, problem: "HTTP 503: loading" });
    expect(judgeHealth(500, undefined)).toMatchObject({ healthy: false, problem: "HTTP 500" });
    expect(judgeHealth(302, undefined).healthy).toBe(false);
  });

  it("names a missing /health route and links the contract", () => {
    for (const status of [404, 405]) {
      const j = judgeHealth(status, { detail: "Not Found" });
      expect(j.healthy).toBe(false);
      expect(j.problem).toBe(`HTTP ${status}: no GET /health route (required: ${ORIGIN_CONTRACT_DOC})`);
    }
    expect(ORIGIN_CONTRACT_DOC).toBe("docs/architecture.md#bring-your-own-model-server");
  });

  it("reads optional facts leniently: a mistyped or blank one is not reported, unknown fields are dropped", () => {
    const j = judgeHealth(200, { status: "healthy", model_version: 2, model_digest: "", model_name: "sentiment", gpu: "A100", request_count: -1 });
    expect(j).toEqual({ healthy: true, facts: { status: "healthy", model_name: "sentiment" } });
  });

  it("parses JSON text, and answers undefined for HTML or nothing", () => {
    expect(jsonOrUndefined('{"a":1}')).toEqual({ a: 1 });
    expect(jsonOrUndefined("<html>hi</html>")).toBeUndefined();
    expect(jsonOrUndefined("")).toBeUndefined();
  });
});

describe("the prediction answer", () => {
  it("accepts the seed's answer, without confidence too, and ignores extra fields", () => {
    expect(Prediction.parse({ prediction: "positive", confidence: 0.93, model_version: "v1", latency_ms: 4 })).toEqual({ prediction: "positive", confidence: 0.93, model_version: "v1" });
    expect(Prediction.parse({ prediction: "spam", model_version: "2024-05-01" })).toEqual({ prediction: "spam", model_version: "2024-05-01" });
  });

  it("refuses an answer without a prediction string or a model_version, or with a confidence outside 0..1", () => {
    const issue = (v: unknown) => Prediction.safeParse(v).error?.issues[0]?.path.join(".");
    expect(issue({ model_version: "v1" })).toBe("prediction");
    expect(issue({ prediction: 1, model_version: "v1" })).toBe("prediction");
    expect(issue({ prediction: "positive" })).toBe("model_version");
    expect(issue({ prediction: "positive", model_version: "v1", confidence: 1.5 })).toBe("confidence");
    expect(BatchResponse.safeParse({ predictions: [{ prediction: "positive", model_version: "v1" }] }).success).toBe(true);
  });

  it("our own server's answer is stricter: a label and a confidence", () => {
    expect(SentimentPrediction.safeParse({ prediction: "spam", confidence: 0.5, model_version: "v1" }).success).toBe(false);
    expect(SentimentPrediction.safeParse({ prediction: "positive", model_version: "v1" }).success).toBe(false);
    expect(SentimentPrediction.safeParse({ prediction: "positive", confidence: 0.5, model_version: "v1" }).success).toBe(true);
  });
});
