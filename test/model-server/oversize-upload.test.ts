// Covers: oversize uploads against a real model-server process — 200 uploads
// of 1 MiB (16× the limit), with a Content-Length over the limit and chunked
// without one, from node:http asking `Connection: close` and from fetch
// (keep-alive): every client reads the whole 413 JSON answer and none gets a
// reset or a broken pipe; the server still answers predictions afterwards,
// counted the 413s as requests but not as errors, and logged no error.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorBody } from "../../contract/errors.js";
import { HealthyResponse } from "../../contract/prediction.js";
import { call, postJson } from "../helpers/http.js";
import { startModelServer, type ModelServerHandle } from "../helpers/model-server.js";

const UPLOAD_BYTES = 1024 * 1024;
const PER_CASE = 50;
const UPLOAD_TIMEOUT_MS = 10_000;
const LOOP_DEADLINE_MS = 90_000;
const CHUNK = Buffer.alloc(16 * 1024, "a");

type Kind = "content-length" | "chunked";
/** How one upload ended: "413" when the client read the whole 413 answer, else what went wrong. */
type Outcome = string;

let server: ModelServerHandle;

beforeAll(async () => {
  server = await startModelServer();
});
afterAll(async () => {
  await server?.stop();
});

function is413(status: number, text: string): boolean {
  return status === 413 && ErrorBody.safeParse(JSON.parse(text)).data?.error.code === "payload_too_large";
}

/** node:http without an agent: the request says `Connection: close`; the body is written as fast as the socket takes it. */
function viaNodeHttp(port: number, kind: Kind): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (kind === "content-length") headers["content-length"] = String(UPLOAD_BYTES);
    const req = request({ host: "127.0.0.1", port, path: "/predict", method: "POST", headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve(is413(res.statusCode ?? 0, text) ? "413" : `answer ${res.statusCode}`));
      res.on("error", (err: NodeJS.ErrnoException) => resolve(`answer cut: ${err.code ?? err.message}`));
    });
    // Only an error before any answer counts: writing on after a complete 413 may fail, which is fine.
    req.on("error", (err: NodeJS.ErrnoException) => resolve(`reset before the answer: ${err.code ?? err.message}`));
    req.setTimeout(UPLOAD_TIMEOUT_MS, () => req.destroy(new Error("timed out")));
    let sent = 0;
    const pump = () => {
      while (sent < UPLOAD_BYTES && !req.destroyed) {
        sent += CHUNK.length;
        if (!req.write(CHUNK)) return void req.once("drain", pump);
      }
      if (!req.destroyed) req.end();
    };
    pump();
  });
}

/** fetch (undici, keep-alive): a Buffer body has a Content-Length, a stream body is chunked. */
async function viaFetch(url: string, kind: Kind): Promise<Outcome> {
  const bytes = Buffer.alloc(UPLOAD_BYTES, "a");
  const body = kind === "content-length" ? bytes : new Blob([bytes]).stream();
  try {
    const res = await fetch(`${url}/predict`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half",
      signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
    } as RequestInit);
    const text = await res.text();
    return is413(res.status, text) ? "413" : `answer ${res.status}`;
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return `fetch failed: ${cause?.code ?? cause?.message ?? (err as Error).message}`;
  }
}

describe("an oversize upload's 413 is read by the client, never a reset", () => {
  it(`${4 * PER_CASE} uploads of 1 MiB: node:http and fetch, Content-Length and chunked — every one reads its 413`, async () => {
    const deadline = Date.now() + LOOP_DEADLINE_MS;
    const outcomes = new Map<string, number>();
    let done = 0;
    for (const client of ["node:http", "fetch"] as const) {
      for (const kind of ["content-length", "chunked"] as const) {
        for (let i = 0; i < PER_CASE && Date.now() < deadline; i++) {
          const outcome = client === "fetch" ? await viaFetch(server.url, kind) : await viaNodeHttp(server.port, kind);
          const key = `${client} ${kind}: ${outcome}`;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
          done += 1;
        }
      }
    }
    expect(done).toBe(4 * PER_CASE);
    expect(Object.fromEntries(outcomes)).toEqual({
      "node:http content-length: 413": PER_CASE,
      "node:http chunked: 413": PER_CASE,
      "fetch content-length: 413": PER_CASE,
      "fetch chunked: 413": PER_CASE,
    });
  }, 120_000);

  it("afterwards the server predicts, counted the 413s without an error, and logged no error", async () => {
    expect((await postJson(`${server.url}/predict`, { text: "fine" })).status).toBe(200);
    const health = HealthyResponse.parse((await call(`${server.url}/health`)).body);
    expect(health.request_count).toBe(4 * PER_CASE + 1);
    expect(health.error_rate).toBe(0);
    expect(server.events().filter((e) => e.level === "error")).toEqual([]);
  });
});
