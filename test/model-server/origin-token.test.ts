// Covers: ORIGIN_TOKEN on a real model-server process — /predict,
// /predict/batch and /fault need a matching x-origin-token (401 JSON
// otherwise), /health and /ready stay open, and the token never appears in
// any log line or error body; requests turned away with 401 do not count in
// /health's request_count.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorBody } from "../../contract/errors.js";
import { HealthyResponse, SentimentPrediction } from "../../contract/prediction.js";
import { call, postJson } from "../helpers/http.js";
import { startModelServer, type ModelServerHandle } from "../helpers/model-server.js";

const TOKEN = "origin-token-9f3a7c21e4b8";
let server: ModelServerHandle;

beforeAll(async () => {
  server = await startModelServer({ env: { ORIGIN_TOKEN: TOKEN, FAULT_CONTROL: "1" } });
});
afterAll(async () => {
  await server?.stop();
});

const WRONG: Array<[string, Record<string, string>]> = [
  ["no token", {}],
  ["a wrong token", { "x-origin-token": "not-the-token" }],
  ["the token with a suffix", { "x-origin-token": `${TOKEN}x` }],
  ["an empty token", { "x-origin-token": "" }],
];

describe("without the right x-origin-token", () => {
  it.each(WRONG)("/predict with %s → 401", async (_name, headers) => {
    const res = await postJson(`${server.url}/predict`, { text: "good" }, headers);
    expect(res.status).toBe(401);
    expect(ErrorBody.parse(res.body).error.code).toBe("unauthorized");
    expect(res.text).not.toContain(TOKEN);
  });

  it.each(WRONG)("/predict/batch with %s → 401", async (_name, headers) => {
    expect((await postJson(`${server.url}/predict/batch`, { texts: ["good"] }, headers)).status).toBe(401);
  });

  it("PUT /fault → 401 and the faults stay unchanged", async () => {
    expect((await postJson(`${server.url}/fault`, { rate: 1 }, {}, "PUT")).status).toBe(401);
    const settings = await call(`${server.url}/fault`, { headers: { "x-origin-token": TOKEN } });
    expect(settings.body).toEqual({ rate: 0, latencyMs: 0, silentRate: 0, silentMode: "random", silentConfidence: null });
  });
});

describe("with the right token", () => {
  it("/predict and /predict/batch answer 200", async () => {
    const one = await postJson(`${server.url}/predict`, { text: "good" }, { "x-origin-token": TOKEN });
    expect(one.status).toBe(200);
    expect(SentimentPrediction.parse(one.body).model_version).toBe("v1");
    const many = await postJson(`${server.url}/predict/batch`, { texts: ["good", "bad"] }, { "x-origin-token": TOKEN });
    expect(many.status).toBe(200);
  });
});

describe("/health counts only authenticated predictions", () => {
  it("20 predictions without the token leave request_count unchanged; one with it adds 1", async () => {
    const count = async () => HealthyResponse.parse((await call(`${server.url}/health`)).body).request_count;
    const before = await count();
    for (let i = 0; i < 20; i++) {
      const [path, body] = i % 2 ? ["/predict/batch", { texts: ["good"] }] : ["/predict", { text: "good" }];
      expect((await postJson(`${server.url}${path}`, body, WRONG[i % WRONG.length]![1])).status).toBe(401);
    }
    expect(await count()).toBe(before);
    expect((await postJson(`${server.url}/predict`, { text: "good" }, { "x-origin-token": TOKEN })).status).toBe(200);
    expect(await count()).toBe(before + 1);
  });
});

describe("probes need no token", () => {
  it.each(["/health", "/ready"])("GET %s → 200", async (path) => {
    expect((await call(`${server.url}${path}`)).status).toBe(200);
  });
});

describe("secrecy", () => {
  it("the token appears in no log line, and the start line says it is set", () => {
    const lines = server.lines();
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.filter((l) => l.includes(TOKEN))).toEqual([]);
    const starting = server.events().find((e) => e.event === "starting") as { config?: { originToken?: string } } | undefined;
    expect(starting?.config?.originToken).toBe("set");
  });
});
