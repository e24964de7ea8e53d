// Uploads against the real router Worker in local workerd (test/helpers/router.ts)
// over real sockets, with a real model server behind it: an oversize /predict
// body — 1 MiB, sent with Content-Length or chunked, by node:http (which keeps
// writing until the server stops it) and by fetch — always gets the router's
// 413 JSON, readable before the connection closes (worker/src/edge-body.ts
// drains the rest first), and no origin sees it; an upload the client breaks
// off is one log line, not a logged 500 with a stack, and counts against no
// colour.
import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../../contract/prediction.js";
import { admin, predictionCount, waitUntil } from "../helpers/drill.js";
import { postChunked } from "../helpers/http.js";
import { type ModelServerHandle, startModelServer } from "../helpers/model-server.js";
import { type RouterHandle, startRouter } from "../helpers/router.js";

const ORIGIN_TOKEN = "uploads-origin-token-93be";
const UPLOAD_BYTES = 1024 * 1024;
const TRIES = 20;

let blue: ModelServerHandle;
let router: RouterHandle;

beforeAll(async () => {
  blue = await startModelServer({ version: "v1", env: { ORIGIN_TOKEN } });
  router = await startRouter({ blueOrigins: [blue.url], greenOrigins: [blue.url], originToken: ORIGIN_TOKEN });
}, 60_000);

afterAll(async () => {
  await router?.stop();
  await blue?.stop();
});

/** POSTs `totalBytes` with a Content-Length through node:http, writing with back-pressure; the answer, or the error that came instead. */
function postSized(url: string, totalBytes: number): Promise<{ status: number; text: string } | { error: string }> {
  return new Promise((resolve) => {
    let answered = false;
    const req = request(url, { method: "POST", agent: false, headers: { "content-type": "application/json", "content-length": String(totalBytes) } }, (res) => {
      answered = true;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", (err) => resolve({ error: `response: ${err.message}` }));
    });
    req.setTimeout(15_000, () => req.destroy(new Error("upload timed out")));
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (!answered) resolve({ error: err.code ?? err.message });
    });
    const chunk = Buffer.alloc(16 * 1024, "a");
    let sent = 0;
    const pump = () => {
      while (sent < totalBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

async function fetchChunked(url: string, totalBytes: number): Promise<{ status: number; text: string } | { error: string }> {
  const chunk = new Uint8Array(16 * 1024).fill(0x61);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= totalBytes) return controller.close();
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  try {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body, duplex: "half", signal: AbortSignal.timeout(15_000) } as RequestInit);
    return { status: res.status, text: await res.text() };
  } catch (err) {
    return { error: String((err as { cause?: { code?: string } }).cause?.code ?? err) };
  }
}

describe("an oversize upload to the router's /predict", () => {
  it.each([
    ["Content-Length, node:http", () => postSized(`${router.url}/predict`, UPLOAD_BYTES)],
    ["chunked, node:http", () => postChunked(`${router.url}/predict`, UPLOAD_BYTES).catch((err: NodeJS.ErrnoException) => ({ error: err.code ?? err.message }))],
    ["chunked, fetch", () => fetchChunked(`${router.url}/predict`, UPLOAD_BYTES)],
  ])(`gets a readable 413 JSON answer every time (${TRIES} uploads of 1 MiB, %s)`, async (_name, upload) => {
    const before = await predictionCount(blue.url);
    const outcomes: string[] = [];
    for (let i = 0; i < TRIES; i++) {
      const answer = await upload();
      if ("error" in answer) {
        outcomes.push(`error ${answer.error}`);
        continue;
      }
      const body = JSON.parse(answer.text) as { error?: { code?: string; message?: string } };
      outcomes.push(`${answer.status} ${body.error?.code}`);
      expect(body.error?.message).toBe(`request body must be at most ${MAX_BODY_BYTES} bytes`);
    }
    expect(outcomes).toEqual(new Array(TRIES).fill("413 payload_too_large"));
    expect(await predictionCount(blue.url)).toBe(before);
  }, 60_000);
});

describe("an upload the client breaks off", () => {
  it("is one log line, not a logged 500, and counts against no colour", async () => {
    const port = Number(new URL(router.url).port);
    const requestId = `broken-upload-${Date.now()}`;
    await new Promise<void>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port }, () => {
        socket.write(
          `POST /predict HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nx-request-id: ${requestId}\r\ncontent-length: 1000\r\n\r\n{"text": "half of it`,
        );
        setTimeout(() => socket.destroy(), 200);
      });
      socket.on("close", () => resolve());
      socket.on("error", () => resolve());
    });
    const line = await waitUntil("the log line", async () => router.logs().find((l) => l.includes(requestId)), 5_000);
    expect(line).toMatch(/client went away during its upload/);
    // Give a wrongly logged stack time to show up before checking there is none.
    await new Promise((r) => setTimeout(r, 300));
    const mine = router.logs().filter((l) => l.includes(requestId));
    expect(mine).toEqual([line]);
    expect(router.logs().filter((l) => /unexpected error|^\s+at /.test(l))).toEqual([]);

    const status = await admin(router, "GET", "/admin/status");
    expect(status.colors.blue.metrics.slow.errors.total).toBe(0);
  }, 30_000);
});
