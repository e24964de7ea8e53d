// Covers: fault injection on real model-server processes — FAULT_RATE from
// env, `PUT /fault` changing behaviour at run time (and validating its body),
// no /fault without FAULT_CONTROL, and /health's error_rate over a recent
// window (old errors age out; request_count keeps counting).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorBody } from "../../contract/errors.js";
import { HealthyResponse } from "../../contract/prediction.js";
import { call, postJson } from "../helpers/http.js";
import { startModelServer, type ModelServerHandle } from "../helpers/model-server.js";

let alwaysFailing: ModelServerHandle;
let controlled: ModelServerHandle;
const WINDOW_SECONDS = 2;

beforeAll(async () => {
  [alwaysFailing, controlled] = await Promise.all([
    startModelServer({ env: { FAULT_RATE: "1" } }),
    startModelServer({ version: "v2", env: { FAULT_CONTROL: "1", ERROR_WINDOW_SECONDS: String(WINDOW_SECONDS) } }),
  ]);
});
afterAll(async () => {
  await Promise.all([alwaysFailing?.stop(), controlled?.stop()]);
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
    expect((await setFaults(controlled, { rate: 1 })).body).toEqual({ rate: 1, latencyMs: 0 });
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
    expect((await setFaults(controlled, { latencyMs: 5 })).body).toEqual({ rate: 0, latencyMs: 5 });
    expect(new Set(await predictStatuses(controlled, 3))).toEqual(new Set([200]));
    await setFaults(controlled, { latencyMs: 0 });
    expect((await call(`${controlled.url}/fault`)).body).toEqual({ rate: 0, latencyMs: 0 });
  });

  it.each([
    ["an unknown field", { rate: 0.5, extra: 1 }],
    ["a rate over 1", { rate: 2 }],
    ["a negative latency", { latencyMs: -5 }],
    ["a string rate", { rate: "1" }],
    ["no field", {}],
    ["invalid JSON", "{"],
  ])("rejects %s with 400 and changes nothing", async (_name, body) => {
    const res = await setFaults(controlled, body);
    expect(res.status).toBe(400);
    expect(ErrorBody.parse(res.body).error.code).toBe("invalid_request");
    expect((await call(`${controlled.url}/fault`)).body).toEqual({ rate: 0, latencyMs: 0 });
  });

  it("rejects a non-JSON content type with 415", async () => {
    const res = await call(`${controlled.url}/fault`, { method: "PUT", body: "rate=1", headers: { "content-type": "text/plain" } });
    expect(res.status).toBe(415);
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
