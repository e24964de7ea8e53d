// Covers: the model server's upload-drain.ts and its use in app.ts (in process)
// — discardRest reads to the end, or stops at the byte or time bound, or
// when the body breaks; an oversize upload's 413 is answered before the
// upload is read, whole (Content-Length) and with Connection: close, and its
// answer ends only once the rest is drained; a declared Content-Length above
// the bound is not drained at all.
import { describe, expect, it } from "vitest";
import { ErrorBody } from "../../contract/errors.js";
import { discardRest } from "../../model-server/index.js";
import { buildTestApp } from "../helpers/model-server-fixtures.js";

const CHUNK_BYTES = 16 * 1024;

/** A body of `count` chunks (endless when Infinity) that counts how many were pulled. */
function counted(count: number): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (pulled >= count) return controller.close();
        pulled += 1;
        controller.enqueue(new Uint8Array(CHUNK_BYTES));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => pulled };
}

describe("discardRest", () => {
  it("reads the rest to its end", async () => {
    const { stream, pulled } = counted(64);
    expect(await discardRest(stream, { maxBytes: 10 * 1024 * 1024, maxMs: 5_000 })).toBe("drained");
    expect(pulled()).toBe(64);
  });

  it("stops past the byte bound", async () => {
    const { stream, pulled } = counted(Number.POSITIVE_INFINITY);
    expect(await discardRest(stream, { maxBytes: 10 * CHUNK_BYTES, maxMs: 5_000 })).toBe("bounded");
    expect(pulled()).toBe(11);
  });

  it("stops at the time bound when the client trickles or stalls", async () => {
    const stalled = new ReadableStream<Uint8Array>({ pull: () => new Promise<void>(() => {}) });
    expect(await discardRest(stalled, { maxBytes: 1024, maxMs: 50 })).toBe("bounded");
  });

  it("ends when the body breaks (the client went away)", async () => {
    const broken = new ReadableStream<Uint8Array>({ pull: (controller) => controller.error(new Error("aborted")) });
    expect(await discardRest(broken, { maxBytes: 1024, maxMs: 5_000 })).toBe("client_gone");
  });
});

describe("an oversize upload's answer", () => {
  const upload = (body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}): RequestInit =>
    ({ method: "POST", headers: { "content-type": "application/json", ...headers }, body, duplex: "half" }) as RequestInit;

  it("is a whole 413 with Connection: close before the upload is read, and ends once the rest is drained", async () => {
    const { app } = buildTestApp();
    const { stream, pulled } = counted(64); // 1 MiB
    const res = await app.request("/predict", upload(stream));
    expect(res.status).toBe(413);
    expect(res.headers.get("connection")).toBe("close");
    expect(pulled()).toBeLessThan(64);
    const text = await res.text();
    expect(res.headers.get("content-length")).toBe(String(Buffer.byteLength(text)));
    expect(ErrorBody.parse(JSON.parse(text)).error.code).toBe("payload_too_large");
    expect(pulled()).toBe(64);
  });

  it("drains no more than the bound", async () => {
    const { app } = buildTestApp({ drainBounds: { maxBytes: 8 * CHUNK_BYTES, maxMs: 5_000 } });
    const { stream, pulled } = counted(Number.POSITIVE_INFINITY);
    const res = await app.request("/predict/batch", upload(stream));
    expect(res.status).toBe(413);
    await res.text();
    expect(pulled()).toBeLessThan(32);
  });

  it("is not held open for a declared Content-Length above the bound", async () => {
    const { app } = buildTestApp({ drainBounds: { maxBytes: 8 * CHUNK_BYTES, maxMs: 5_000 } });
    const { stream, pulled } = counted(64);
    const res = await app.request("/predict", upload(stream, { "content-length": String(64 * CHUNK_BYTES) }));
    expect(res.status).toBe(413);
    expect(ErrorBody.parse(await res.json()).error.code).toBe("payload_too_large");
    expect(pulled()).toBe(0);
  });
});
