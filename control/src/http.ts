/**
 * One small HTTP helper for the CLI's JSON calls (health, smoke, quality,
 * admin API): a per-request timeout, the answer's status, body text and
 * parsed JSON, and network failures turned into a `NetworkFailure` that says
 * what went wrong in words.
 */

/** Where requests go and which headers they carry (tokens live here, never in output). */
export interface Endpoint {
  /** Base URL without a trailing slash. */
  baseUrl: string;
  headers: Record<string, string>;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body, or undefined when it is not JSON. */
  json: unknown;
  ms: number;
}

export interface RequestOptions {
  method?: string;
  /** A value to send as JSON, or a raw string body (sent as-is). */
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  timeoutMs: number;
  headers?: Record<string, string>;
}

/** The request never got an HTTP answer: refused, reset, DNS, or timed out. */
export class NetworkFailure extends Error {
  override name = "NetworkFailure";
  constructor(
    readonly url: string,
    /** Short words, e.g. "connection refused (ECONNREFUSED)". */
    readonly what: string,
    readonly timedOut: boolean,
  ) {
    super(`${url}: ${what}`);
  }
}

/** Sends one request and reads the whole answer; throws NetworkFailure when there is none. */
export async function send(endpoint: Endpoint, path: string, opts: RequestOptions): Promise<HttpAnswer> {
  const url = endpoint.baseUrl + path;
  const headers: Record<string, string> = { ...endpoint.headers, ...opts.headers };
  let body: string | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers["content-type"] = opts.contentType ?? "application/json";
  const started = performance.now();
  try {
    const res = await fetch(url, {
      method: opts.method ?? (body === undefined ? "GET" : "POST"),
      headers,
      body,
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json, ms: performance.now() - started };
  } catch (err) {
    throw toNetworkFailure(url, err, opts.timeoutMs);
  }
}

function toNetworkFailure(url: string, err: unknown, timeoutMs: number): NetworkFailure {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") {
    return new NetworkFailure(url, `no answer within ${timeoutMs} ms`, true);
  }
  const code = e?.cause?.code;
  const words: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ECONNRESET: "connection reset",
    ENOTFOUND: "host not found",
    EAI_AGAIN: "host name lookup failed",
    EHOSTUNREACH: "host unreachable",
    ETIMEDOUT: "connection timed out",
    UND_ERR_SOCKET: "connection closed by the server",
  };
  const what = code ? `${words[code] ?? "network error"} (${code})` : (e?.cause?.message ?? e?.message ?? String(err));
  return new NetworkFailure(url, what, code === "ETIMEDOUT");
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
