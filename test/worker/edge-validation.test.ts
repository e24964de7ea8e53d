// Covers worker/src/edge-validation.ts: malformed /predict and /predict/batch
// requests are answered 4xx with the error envelope at the edge and never
// reach an origin (both pools are a recorder origin that logs every request
// it gets); the body cap is enforced while the body streams in, not after
// buffering it; past the cap the rest is read and dropped (bounded) so the
// client can read its 413 (test/e2e/edge-abuse.test.ts checks that over real
// sockets). The fast check of a valid body: edge-validation.pure.test.ts.
import { MAX_BATCH_TEXTS, MAX_BODY_BYTES } from "../../contract/prediction.js";
import { describe, expect, it } from "vitest";
import { DRAIN_MAX_BYTES } from "../../worker/src/edge-body.js";
import { errorOf, newIsolate, origins, recorded, sendSettled, testEnv } from "./helpers.js";

const MAX_TEXT_CHARS = 100;

interface Case {
  name: string;
  path: "/predict" | "/predict/batch";
  body: BodyInit | null;
  contentType?: string | null;
  status: number;
  code: string;
  method?: string;
}

const json = "application/json";
const CASES: Case[] = [
  { name: "invalid JSON", path: "/predict", body: "{text: nope", status: 400, code: "invalid_request" },
  { name: "empty body", path: "/predict", body: "", status: 400, code: "invalid_request" },
  { name: "JSON null", path: "/predict", body: "null", status: 400, code: "invalid_request" },
  { name: "JSON array", path: "/predict", body: "[]", status: 400, code: "invalid_request" },
  { name: "missing text", path: "/predict", body: "{}", status: 400, code: "invalid_request" },
  { name: "text is a number", path: "/predict", body: '{"text": 42}', status: 400, code: "invalid_request" },
  { name: "empty text", path: "/predict", body: '{"text": ""}', status: 400, code: "invalid_request" },
  { name: "blank text", path: "/predict", body: '{"text": "   \\n\\t"}', status: 400, code: "invalid_request" },
  { name: "text over MAX_TEXT_CHARS", path: "/predict", body: JSON.stringify({ text: "a".repeat(MAX_TEXT_CHARS + 1) }), status: 400, code: "invalid_request" },
  { name: "invalid UTF-8", path: "/predict", body: new Uint8Array([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), status: 400, code: "invalid_request" },
  { name: "wrong content type", path: "/predict", body: '{"text": "fine"}', contentType: "text/plain", status: 415, code: "unsupported_media_type" },
  { name: "no content type", path: "/predict", body: '{"text": "fine"}', contentType: null, status: 415, code: "unsupported_media_type" },
  { name: "body over 64 KiB", path: "/predict", body: JSON.stringify({ text: "a".repeat(MAX_BODY_BYTES) }), status: 413, code: "payload_too_large" },
  { name: "GET /predict", path: "/predict", body: null, method: "GET", status: 405, code: "method_not_allowed" },
  { name: "batch: texts missing", path: "/predict/batch", body: '{"text": "one"}', status: 400, code: "invalid_request" },
  { name: "batch: texts empty", path: "/predict/batch", body: '{"texts": []}', status: 400, code: "invalid_request" },
  { name: "batch: too many texts", path: "/predict/batch", body: JSON.stringify({ texts: new Array(MAX_BATCH_TEXTS + 1).fill("ok") }), status: 400, code: "invalid_request" },
  { name: "batch: a blank text", path: "/predict/batch", body: '{"texts": ["good", " "]}', status: 400, code: "invalid_request" },
  { name: "batch: texts not an array", path: "/predict/batch", body: '{"texts": "good"}', status: 400, code: "invalid_request" },
  { name: "batch: a non-string text", path: "/predict/batch", body: '{"texts": ["good", 3]}', status: 400, code: "invalid_request" },
];

function caseRequest(c: Case, testId: string): Request {
  const headers: Record<string, string> = { "x-test-id": testId };
  const type = c.contentType === undefined ? json : c.contentType;
  if (type !== null) headers["content-type"] = type;
  return new Request(`https://router.test${c.path}`, { method: c.method ?? "POST", headers, body: c.body });
}

describe("edge validation", () => {
  it(`answers ${CASES.length} malformed requests with 4xx JSON, and the origin receives none of them`, async () => {
    const testId = crypto.randomUUID();
    const e = testEnv({
      BLUE_ORIGINS: origins.TEST_RECORDER_A,
      GREEN_ORIGINS: origins.TEST_RECORDER_A,
      MAX_TEXT_CHARS: String(MAX_TEXT_CHARS),
    });
    const router = newIsolate();
    for (const c of CASES) {
      const res = await sendSettled(router, e, caseRequest(c, testId));
      expect(res.status, c.name).toBe(c.status);
      expect(res.headers.get("content-type"), c.name).toMatch(/^application\/json/);
      const error = await errorOf(res);
      expect(error.code, c.name).toBe(c.code);
    }
    expect(await recorded(origins.TEST_RECORDER_A, testId)).toHaveLength(0);

    // The same router forwards a valid body byte for byte.
    const body = '{"text": "fine", "extra": "kept, as the model server ignores it"}';
    const ok = await sendSettled(router, e, caseRequest({ name: "valid", path: "/predict", body, status: 200, code: "" }, testId));
    expect(ok.status).toBe(200);
    const got = await recorded(origins.TEST_RECORDER_A, testId);
    expect(got.map((r) => [r.method, r.path, r.body])).toEqual([["POST", "/predict", body]]);
  });

  it("zod details name the failing field", async () => {
    const res = await sendSettled(newIsolate(), testEnv(), caseRequest(CASES[5]!, crypto.randomUUID()));
    const error = await errorOf(res);
    expect(error.details).toEqual([expect.objectContaining({ path: "text" })]);
  });

  it("answers an endless body 413 without buffering it: reads and drops at most DRAIN_MAX_BYTES past the cap, then cancels", async () => {
    const chunk = new Uint8Array(16 * 1024).fill(0x61);
    let pulledBytes = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulledBytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
      cancel() {
        cancelled = true;
      },
    });
    const testId = crypto.randomUUID();
    const request = new Request("https://router.test/predict", {
      method: "POST",
      headers: { "content-type": "application/json", "x-test-id": testId },
      body: endless,
    });
    const e = testEnv({ BLUE_ORIGINS: origins.TEST_RECORDER_A });
    const res = await sendSettled(newIsolate(), e, request);
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("payload_too_large");
    expect(cancelled).toBe(true);
    // The cap, the bytes dropped after it, the chunk that crossed each bound, and what the stream queued ahead.
    expect(pulledBytes).toBeGreaterThan(MAX_BODY_BYTES + DRAIN_MAX_BYTES);
    expect(pulledBytes).toBeLessThanOrEqual(MAX_BODY_BYTES + DRAIN_MAX_BYTES + 4 * chunk.byteLength);
    expect(await recorded(origins.TEST_RECORDER_A, testId)).toHaveLength(0);
  });

  it("refuses a declared content-length over the cap without keeping a byte of it, and forwards nothing", async () => {
    const testId = crypto.randomUUID();
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled += 1;
          if (pulled > 3) controller.close();
          else controller.enqueue(new Uint8Array(MAX_BODY_BYTES).fill(0x61));
        },
      },
      { highWaterMark: 0 },
    );
    const request = new Request("https://router.test/predict/batch", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(3 * MAX_BODY_BYTES), "x-test-id": testId },
      body,
    });
    const res = await sendSettled(newIsolate(), testEnv({ BLUE_ORIGINS: origins.TEST_RECORDER_A }), request);
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("payload_too_large");
    // Read to the end (and dropped) before the answer, so a real client is not reset mid-upload.
    expect(pulled).toBe(4);
    expect(await recorded(origins.TEST_RECORDER_A, testId)).toHaveLength(0);
  });
});
