// Covers: contract/body-limit.ts and json-body.ts — the byte limit is
// enforced while reading (with a lying or missing Content-Length), the rest
// of an oversize body cancelled or kept for the caller, a body that breaks
// off as UploadAbortedError, content types, UTF-8/JSON parsing and schema
// errors, each as a typed ApiError.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { readBodyWithLimit, UploadAbortedError } from "../../contract/body-limit.js";
import { ApiError } from "../../contract/errors.js";
import { isJsonContentType, readJsonBody } from "../../contract/json-body.js";

/** A request whose body is streamed in `chunks` (no Content-Length unless given). */
function streamed(chunks: Uint8Array[], headers: Record<string, string> = {}): { req: Request; pulled: () => number; cancelled: () => boolean } {
  let pulled = 0;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks[pulled++];
      if (next) controller.enqueue(next);
      else controller.close();
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 }); // pull only when read, so the test can count reads
  const req = new Request("http://x/predict", { method: "POST", body, headers, duplex: "half" } as RequestInit);
  return { req, pulled: () => pulled, cancelled: () => cancelled };
}

async function apiError(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe("readBodyWithLimit", () => {
  it("returns a body at the limit", async () => {
    const { req } = streamed([new Uint8Array(60), new Uint8Array(40)]);
    expect((await readBodyWithLimit(req, 100)).byteLength).toBe(100);
  });

  it("stops reading as soon as a chunked body passes the limit", async () => {
    const chunks = Array.from({ length: 100 }, () => new Uint8Array(30));
    const { req, pulled } = streamed(chunks);
    const err = await apiError(readBodyWithLimit(req, 100));
    expect(err.status).toBe(413);
    expect(pulled()).toBeLessThan(10);
  });

  it("does not trust a Content-Length smaller than the body", async () => {
    const { req } = streamed([new Uint8Array(80), new Uint8Array(80)], { "content-length": "10" });
    expect((await apiError(readBodyWithLimit(req, 100))).code).toBe("payload_too_large");
  });

  it("rejects a declared Content-Length over the limit before reading", async () => {
    const { req, pulled } = streamed([new Uint8Array(10)], { "content-length": "5000" });
    expect((await apiError(readBodyWithLimit(req, 100))).status).toBe(413);
    expect(pulled()).toBe(0);
  });

  it("leaves how the connection ends to the caller (no Connection header on the 413)", async () => {
    const { req } = streamed([new Uint8Array(200)]);
    expect((await apiError(readBodyWithLimit(req, 100))).headers).toEqual({});
  });

  it("cancels the rest of an oversize body by default", async () => {
    const { req, pulled, cancelled } = streamed(Array.from({ length: 10 }, () => new Uint8Array(60)));
    await apiError(readBodyWithLimit(req, 100));
    await new Promise((r) => setTimeout(r, 10));
    expect(cancelled()).toBe(true);
    expect(pulled()).toBe(2);
  });

  it("with keepRest, leaves the rest unread and readable", async () => {
    const { req, pulled, cancelled } = streamed(Array.from({ length: 10 }, () => new Uint8Array(60)));
    await apiError(readBodyWithLimit(req, 100, { keepRest: true }));
    expect(req.body!.locked).toBe(false);
    expect(cancelled()).toBe(false);
    let rest = 0;
    for await (const chunk of req.body!) rest += (chunk as Uint8Array).byteLength;
    expect(rest).toBe(8 * 60);
    expect(pulled()).toBe(11);
  });

  it("a body that breaks off is an UploadAbortedError with the bytes received", async () => {
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new Error("aborted"));
        sent = true;
        controller.enqueue(new Uint8Array(30));
      },
    });
    const req = new Request("http://x/predict", { method: "POST", body, duplex: "half" } as RequestInit);
    const err = await readBodyWithLimit(req, 100).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UploadAbortedError);
    expect(err).toMatchObject({ receivedBytes: 30 });
    expect(err).not.toBeInstanceOf(ApiError);
  });
});

describe("isJsonContentType", () => {
  it.each([
    ["application/json", true],
    ["application/json; charset=utf-8", true],
    ["Application/JSON", true],
    ["application/problem+json", true],
    ["text/plain", false],
    ["application/x-www-form-urlencoded", false],
    ["application/jsonx", false],
    [null, false],
  ])("%s → %s", (header, expected) => {
    expect(isJsonContentType(header)).toBe(expected);
  });
});

describe("readJsonBody", () => {
  const schema = z.object({ text: z.string() });
  const post = (body: string | Uint8Array, type = "application/json") =>
    new Request("http://x/predict", { method: "POST", body, headers: { "content-type": type } });

  it("parses and validates", async () => {
    expect(await readJsonBody(post('{"text":"hi","extra":1}'), schema)).toEqual({ text: "hi" });
  });

  it.each([
    ["wrong content type", post('{"text":"hi"}', "text/plain"), 415],
    ["invalid JSON", post("{"), 400],
    ["invalid UTF-8", post(new Uint8Array([0x7b, 0xff, 0x7d])), 400],
    ["schema mismatch", post('{"text":1}'), 400],
    ["over the limit", post(JSON.stringify({ text: "x".repeat(200) })), 413],
  ])("%s → %i", async (_name, req, status) => {
    expect((await apiError(readJsonBody(req, schema, 100))).status).toBe(status);
  });

  it("gives zod details for a schema mismatch", async () => {
    const err = await apiError(readJsonBody(post('{"text":1}'), schema));
    expect(err.details).toEqual([{ path: "text", message: expect.any(String) }]);
  });
});
