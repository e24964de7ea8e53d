/**
 * Small HTTP clients for tests against real servers on loopback: JSON
 * requests through fetch, a chunked upload with no Content-Length, and raw
 * bytes over a TCP socket (for a lying Content-Length).
 */
import { request } from "node:http";
import { connect } from "node:net";

export interface JsonAnswer {
  status: number;
  headers: Headers;
  /** Parsed body, or undefined when it was not JSON. */
  body: unknown;
  text: string;
}

const REQUEST_TIMEOUT_MS = 10_000;

/** Sends a request and reads the answer as JSON (keeps the raw text too). */
export async function call(url: string, init: RequestInit = {}): Promise<JsonAnswer> {
  const res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), ...init });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** POSTs (or PUTs) `body` as JSON; strings are sent verbatim. */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}, method = "POST"): Promise<JsonAnswer> {
  return call(url, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/**
 * POSTs `totalBytes` in 4 KiB chunks with Transfer-Encoding: chunked (no
 * Content-Length) and resolves with the status and body the server answered,
 * even if it answered before the upload finished.
 */
export function postChunked(url: string, totalBytes: number, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, { method: "POST", headers: { "content-type": "application/json", ...headers } }, (res) => {
      answered = true;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("close", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", reject);
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error("chunked upload timed out")));
    // The server may close the connection once it has answered 413: a write error after that is expected.
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    const chunk = Buffer.alloc(4096, "a");
    let sent = 0;
    const pump = () => {
      while (sent < totalBytes) {
        const n = Math.min(chunk.length, totalBytes - sent);
        sent += n;
        if (!req.write(chunk.subarray(0, n))) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

/**
 * Writes `raw` bytes to host:port and resolves with everything the server
 * sent until it closed the connection (or `idleMs` passed without data).
 */
export function rawExchange(port: number, raw: Buffer | string, idleMs = 1_500): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let received = "";
    const finish = () => {
      socket.destroy();
      resolve(received);
    };
    socket.setTimeout(idleMs, finish);
    socket.on("data", (d) => (received += d.toString("latin1")));
    socket.on("end", finish);
    socket.on("close", finish);
    socket.on("error", (err: NodeJS.ErrnoException) => (received ? finish() : reject(err)));
    socket.write(raw);
  });
}

/** The status codes of every HTTP response found in a raw exchange, in order. */
export function statusesIn(raw: string): number[] {
  return [...raw.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
}
