// Covers: fault injection on real model-server processes — FAULT_RATE from
// env, `PUT /fault` changing behaviour at run time (and validating its body),
// no /fault without FAULT_CONTROL, /health's error_rate over a recent window
// (old errors age out; request_count keeps counting), and the silent faults:
// FAULT_SILENT_* from env and PUT /fault answer 200 with a wrong label (per
// item of a batch) while /health stays healthy with no error counted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorBody } from "../../contract/errors.js";
import { HealthyResponse, SentimentBatchResponse, SentimentPrediction } from "../../contract/prediction.js";
import { call, postJson } from "../helpers/http.js";
import { startModelServer, type ModelServerHandle } from "../helpers/model-server.js";

let alwaysFailing: ModelServerHandle;
let controlled: ModelServerHandle;
let silentlyNeutral: ModelServerHandle;
const WINDOW_SECONDS = 2;
const NO_FAULTS = { rate: 0, latencyMs: 0, silentRate: 0, silentMode: "random", silentConfidence: null };

beforeAll(async () => {
  [alwaysFailing, controlled, silentlyNeutral] = await Promise.all([
    startModelServer({ env: { FAULT_RATE: "1" } }),
    startModelServer({ version: "v2", env: { FAULT_CONTROL: "1", ERROR_WINDOW_SECONDS: String(WINDOW_SECONDS) } }),
    startModelServer({ env: { FAULT_SILENT_RATE: "1", FAULT_SILENT_MODE: "constant:neutral", FAULT_SILENT_CONFIDENCE: "0.99" } }),
  ]);
});
afterAll(async () => {
  await Promise.all([alwaysFailing?.stop(), controlled?.stop(), silentlyNeutral?.stop()]);
});

const health = async (s: ModelServerHandle) => HealthyResponse.parse((await call(`${s.url}/health`)).body);
const predictStatuses = (s: ModelServerHandle, n: number) =>
  Promise.all(Array.from({ length: n }, (_, i) => postJson(`${s.url}/predict`, { text: `text number ${i}` }).then((r) => r.status)));
const setFaults = (s: ModelServerHandle, body: unknown) => postJson(`${s.url}/fault`, body, {}, "PUT");

describe("FAULT_RATE=1 from env", () => {
  it("every prediction answers 500 with an error envelope, and health reports it", async () => {
    expect(new Set(await predictStatuses(alwaysFailing, 10))).toEqual(new Set([500]));
    const res = await postJson(`${alwaysFailing.url}/predict/batch`, { texts: ["a"] });
    expect(res.status).toBe(500);
    expect(ErrorBody.parse(res.body).error.code).toBe("internal");
    const h = await health(alwaysFailing);
    expect(h.error_rate).toBe(1);
    expect(h.request_count).toBe(11);
  });

  it("health itself stays 200 (the server is up; the router judges the error rate)", async () => {
    expect((await call(`${alwaysFailing.url}/health`)).status).toBe(200);
  });

  it("has no /fault without FAULT_CONTROL", async () => {
    expect((await setFaults(alwaysFailing, { rate: 0 })).status).toBe(404);
  });
});

describe("PUT /fault at run time", () => {
  it("turns failures on and off", async () => {
    expect((await setFaults(controlled, { rate: 1 })).body).toEqual({ ...NO_FAULTS, rate: 1 });
    expect(new Set(await predictStatuses(controlled, 5))).toEqual(new Set([500]));
    expect((await setFaults(controlled, { rate: 0 })).status).toBe(200);
    expect(new Set(await predictStatuses(controlled, 5))).toEqual(new Set([200]));
  });

  it("a rate of 0.5 fails about half of the predictions", async () => {
    await setFaults(controlled, { rate: 0.5 });
    const statuses = await predictStatuses(controlled, 200);
    await setFaults(controlled, { rate: 0 });
    const failed = statuses.filter((s) => s === 500).length;
    expect(statuses.every((s) => s === 200 || s === 500)).toBe(true);
    expect(failed).toBeGreaterThan(50);
    expect(failed).toBeLessThan(150);
  });

  it("sets latency too, read back by GET /fault", async () => {
    expect((await setFaults(controlled, { latencyMs: 5 })).body).toEqual({ ...NO_FAULTS, latencyMs: 5 });
    expect(new Set(await predictStatuses(controlled, 3))).toEqual(new Set([200]));
    await setFaults(controlled, { latencyMs: 0 });
    expect((await call(`${controlled.url}/fault`)).body).toEqual(NO_FAULTS);
  });

  it.each([
    ["an unknown field", { rate: 0.5, extra: 1 }],
    ["a rate over 1", { rate: 2 }],
    ["a negative latency", { latencyMs: -5 }],
    ["a string rate", { rate: "1" }],
    ["no field", {}],
    ["a silent mode that names no label", { silentMode: "constant:joy" }],
    ["invalid JSON", "{"],
  ])("rejects %s with 400 and changes nothing", async (_name, body) => {
    const res = await setFaults(controlled, body);
    expect(res.status).toBe(400);
    expect(ErrorBody.parse(res.body).error.code).toBe("invalid_request");
    expect((await call(`${controlled.url}/fault`)).body).toEqual(NO_FAULTS);
  });

  it("rejects a non-JSON content type with 415", async () => {
    const res = await call(`${controlled.url}/fault`, { method: "PUT", body: "rate=1", headers: { "content-type": "text/plain" } });
    expect(res.status).toBe(415);
  });
});

/** The labels of `n` texts the v2 model calls positive or negative (so a wrong label shows). */
const OPINIONS = ["I love this, it is wonderful", "This is terrible and I hate it", "What a great day", "Awful, broken, worst ever"];

describe("silent faults", () => {
  it("FAULT_SILENT_* from env: every answer is a 200 neutral at the set confidence, /health healthy with no error", async () => {
    const before = await health(silentlyNeutral);
    for (const text of OPINIONS) {
      const res = await postJson(`${silentlyNeutral.url}/predict`, { text });
      expect(res.status).toBe(200);
      expect(SentimentPrediction.parse(res.body)).toEqual({ prediction: "neutral", confidence: 0.99, model_version: "v1" });
    }
    const batch = await postJson(`${silentlyNeutral.url}/predict/batch`, { texts: OPINIONS });
    expect(SentimentBatchResponse.parse(batch.body).predictions.map((p) => p.prediction)).toEqual(OPINIONS.map(() => "neutral"));
    const after = await health(silentlyNeutral);
    expect(after).toMatchObject({ status: "healthy", error_rate: 0 });
    expect(after.request_count).toBe(before.request_count + OPINIONS.length + 1);
  });

  it("PUT /fault swaps positive and negative at run time, per item of a batch, and turns off again", async () => {
    const labels = async () => SentimentBatchResponse.parse((await postJson(`${controlled.url}/predict/batch`, { texts: OPINIONS })).body).predictions.map((p) => p.prediction);
    const honest = await labels();
    expect(honest).toEqual(["positive", "negative", "positive", "negative"]);
    const set = await setFaults(controlled, { silentRate: 1, silentMode: "swap:positive,negative" });
    expect(set.body).toEqual({ ...NO_FAULTS, silentRate: 1, silentMode: "swap:positive,negative" });
    expect(await labels()).toEqual(["negative", "positive", "negative", "positive"]);
    const one = await postJson(`${controlled.url}/predict`, { text: OPINIONS[0] });
    expect(SentimentPrediction.parse(one.body).prediction).toBe("negative");
    expect((await health(controlled)).status).toBe("healthy");
    await setFaults(controlled, { silentRate: 0, silentMode: "random" });
    expect(await labels()).toEqual(honest);
  });

  it("a silent rate of 0.5 with constant:neutral turns about half of the opinions neutral", async () => {
    await setFaults(controlled, { silentRate: 0.5, silentMode: "constant:neutral" });
    const texts = Array.from({ length: 64 }, (_, i) => OPINIONS[i % 2]!);
    const got = SentimentBatchResponse.parse((await postJson(`${controlled.url}/predict/batch`, { texts })).body).predictions;
    const [again] = await Promise.all([postJson(`${controlled.url}/predict/batch`, { texts }), setFaults(controlled, { silentRate: 0, silentMode: "random" })]);
    const neutral = [...got, ...SentimentBatchResponse.parse(again.body).predictions].filter((p) => p.prediction === "neutral").length;
    // 128 draws at 0.5 (the second batch may already be honest): well inside 15..113 unless the fault is off or total.
    expect(neutral).toBeGreaterThan(15);
    expect(neutral).toBeLessThan(113);
  });
});

describe("error_rate is over a recent window", () => {
  it("old errors age out of the window while request_count keeps counting", async () => {
    await setFaults(controlled, { rate: 1 });
    await predictStatuses(controlled, 10);
    await setFaults(controlled, { rate: 0 });
    expect((await health(controlled)).error_rate).toBeGreaterThan(0);

    // Wait (bounded) for the failing seconds to leave the window.
    const deadline = Date.now() + (WINDOW_SECONDS + 3) * 1000;
    let rate = 1;
    while (Date.now() < deadline && rate > 0) {
      await new Promise((r) => setTimeout(r, 250));
      rate = (await health(controlled)).error_rate;
    }
    expect(rate).toBe(0);

    const before = await health(controlled);
    expect(new Set(await predictStatuses(controlled, 10))).toEqual(new Set([200]));
    const after = await health(controlled);
    // Since start, a good share of predictions failed; in the window, none did.
    expect(after.error_rate).toBe(0);
    expect(after.request_count).toBe(before.request_count + 10);
  });
});
