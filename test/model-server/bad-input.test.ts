// Covers: bad input against a real model-server process — a table of more
// than 15 malformed requests, each a 4xx error envelope (contract/errors.ts)
// and never a 5xx; the 64 KiB limit enforced while reading (chunked with no
// Content-Length, a lying Content-Length, a huge declared one); and that bad
// input changes nothing (error_rate stays 0, good requests still work).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorBody } from "../../contract/errors.js";
import { HealthyResponse, MAX_BATCH_TEXTS, MAX_BODY_BYTES, SentimentPrediction } from "../../contract/prediction.js";
import { call, postChunked, postJson, rawExchange, statusesIn } from "../helpers/http.js";
import { startModelServer, type ModelServerHandle } from "../helpers/model-server.js";

const MAX_TEXT_CHARS = 200;
let server: ModelServerHandle;

beforeAll(async () => {
  server = await startModelServer({ env: { MAX_TEXT_CHARS: String(MAX_TEXT_CHARS) } });
});
afterAll(async () => {
  await server?.stop();
});

const JSON_TYPE = { "content-type": "application/json" };
const text = (n: number) => "a".repeat(n);
type Case = [name: string, path: string, init: RequestInit, status: number, code: string];

const CASES: Case[] = [
  ["invalid JSON", "/predict", { headers: JSON_TYPE, body: '{"text": "hi"' }, 400, "invalid_request"],
  ["empty body", "/predict", { headers: JSON_TYPE, body: "" }, 400, "invalid_request"],
  ["JSON array", "/predict", { headers: JSON_TYPE, body: '["hi"]' }, 400, "invalid_request"],
  ["JSON null", "/predict", { headers: JSON_TYPE, body: "null" }, 400, "invalid_request"],
  ["JSON string", "/predict", { headers: JSON_TYPE, body: '"hi"' }, 400, "invalid_request"],
  ["missing text", "/predict", { headers: JSON_TYPE, body: "{}" }, 400, "invalid_request"],
  ["text is a number", "/predict", { headers: JSON_TYPE, body: '{"text": 5}' }, 400, "invalid_request"],
  ["text is null", "/predict", { headers: JSON_TYPE, body: '{"text": null}' }, 400, "invalid_request"],
  ["text is an array", "/predict", { headers: JSON_TYPE, body: '{"text": ["a"]}' }, 400, "invalid_request"],
  ["empty text", "/predict", { headers: JSON_TYPE, body: '{"text": ""}' }, 400, "invalid_request"],
  ["blank text", "/predict", { headers: JSON_TYPE, body: '{"text": " \\n\\t "}' }, 400, "invalid_request"],
  ["text over MAX_TEXT_CHARS", "/predict", { headers: JSON_TYPE, body: JSON.stringify({ text: text(MAX_TEXT_CHARS + 1) }) }, 400, "invalid_request"],
  ["invalid UTF-8", "/predict", { headers: JSON_TYPE, body: new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]) }, 400, "invalid_request"],
  ["text/plain content type", "/predict", { headers: { "content-type": "text/plain" }, body: '{"text":"hi"}' }, 415, "unsupported_media_type"],
  ["form content type", "/predict", { headers: { "content-type": "application/x-www-form-urlencoded" }, body: "text=hi" }, 415, "unsupported_media_type"],
  ["no content type", "/predict", { body: new TextEncoder().encode('{"text":"hi"}') }, 415, "unsupported_media_type"],
  ["body over 64 KiB", "/predict", { headers: JSON_TYPE, body: JSON.stringify({ text: text(MAX_BODY_BYTES) }) }, 413, "payload_too_large"],
  ["batch: texts missing", "/predict/batch", { headers: JSON_TYPE, body: '{"text":"hi"}' }, 400, "invalid_request"],
  ["batch: texts empty", "/predict/batch", { headers: JSON_TYPE, body: '{"texts":[]}' }, 400, "invalid_request"],
  ["batch: over 64 texts", "/predict/batch", { headers: JSON_TYPE, body: JSON.stringify({ texts: Array(MAX_BATCH_TEXTS + 1).fill("hi") }) }, 400, "invalid_request"],
  ["batch: texts is a string", "/predict/batch", { headers: JSON_TYPE, body: '{"texts":"hi"}' }, 400, "invalid_request"],
  ["batch: a number among texts", "/predict/batch", { headers: JSON_TYPE, body: '{"texts":["hi", 3]}' }, 400, "invalid_request"],
  ["batch: a blank text", "/predict/batch", { headers: JSON_TYPE, body: '{"texts":["hi", "  "]}' }, 400, "invalid_request"],
  ["batch: a text too long", "/predict/batch", { headers: JSON_TYPE, body: JSON.stringify({ texts: ["hi", text(MAX_TEXT_CHARS + 1)] }) }, 400, "invalid_request"],
  ["batch: wrong content type", "/predict/batch", { headers: { "content-type": "text/csv" }, body: "hi,there" }, 415, "unsupported_media_type"],
];

describe("bad input answers a 4xx JSON error, never a 5xx", () => {
  it("has at least 15 distinct cases", () => {
    expect(new Set(CASES.map((c) => c[0])).size).toBeGreaterThanOrEqual(15);
  });

  it.each(CASES)("%s → %i %s", async (_name, path, init, status, code) => {
    const res = await call(`${server.url}${path}`, { method: "POST", ...init });
    expect(res.status).toBe(status);
    const body = ErrorBody.parse(res.body);
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(0);
  });

  it("names the offending field in details", async () => {
    const res = await postJson(`${server.url}/predict/batch`, { texts: ["ok", 7] });
    expect(ErrorBody.parse(res.body).error.details).toEqual([{ path: "texts.1", message: expect.any(String) }]);
  });
});

describe("the body limit is enforced while reading", () => {
  it("a 16 MiB chunked body with no Content-Length → 413", async () => {
    const res = await postChunked(`${server.url}/predict`, 16 * 1024 * 1024);
    expect(res.status).toBe(413);
    expect(ErrorBody.parse(JSON.parse(res.text)).error.code).toBe("payload_too_large");
  });

  it("a small chunked body is read normally", async () => {
    const res = await call(`${server.url}/predict`, {
      method: "POST",
      headers: JSON_TYPE,
      body: new Blob(['{"text":"lovely"}']).stream(),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(200);
    expect(SentimentPrediction.parse(res.body).model_version).toBe("v1");
  });

  it("a Content-Length smaller than the body sent → 4xx, no 5xx", async () => {
    const body = JSON.stringify({ text: text(2 * MAX_BODY_BYTES) });
    const raw = await rawExchange(
      server.port,
      `POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n${body}`,
    );
    const statuses = statusesIn(raw);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s >= 400 && s < 500)).toBe(true);
    // Whichever answers first (the app or the HTTP parser), the answer is §6 JSON.
    expect(raw).toMatch(/\r\n\r\n\{"error":\{"code":"invalid_request"/);
  });

  it("a huge declared Content-Length → 413 at once, without waiting for the body", async () => {
    const raw = await rawExchange(
      server.port,
      `POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{"text":"a`,
    );
    expect(statusesIn(raw)).toEqual([413]);
  });
});

describe("bad input changes nothing", () => {
  it("error_rate is still 0 and a good request still works", async () => {
    const health = HealthyResponse.parse((await call(`${server.url}/health`)).body);
    expect(health.error_rate).toBe(0);
    expect(health.request_count).toBeGreaterThanOrEqual(CASES.length);
    const res = await postJson(`${server.url}/predict`, { text: "fine" });
    expect(res.status).toBe(200);
  });

  it("the server logged no unhandled error", () => {
    expect(server.events().filter((e) => e.level === "error")).toEqual([]);
  });
});
