/**
 * One request to one origin (docs/architecture.md "Router"): the headers the
 * origin gets (x-origin-token, x-request-id; no hop-by-hop headers, no client
 * credentials, nothing holding the admin token), a per-origin timeout up to
 * the response headers, and the classification of the outcome as connect
 * error, timeout or an HTTP answer — or a request the runtime refused to
 * build, which is none of these.
 */
import type { ErrorClass } from "../../contract/telemetry.js";

/** Hop-by-hop headers (RFC 9110 §7.6.1) plus ones the runtime sets itself. */
const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
];

/**
 * Headers that never reach an origin: the router's own control headers, and
 * the client's credentials (origins authenticate the router by x-origin-token,
 * never a client; a preview's Authorization is the admin token).
 */
const NEVER_FORWARDED = ["x-origin-token", "x-bluegreen-preview", "x-bluegreen-actor", "authorization", "cookie"];

function stripHopByHop(headers: Headers): void {
  const listed = (headers.get("connection") ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== "");
  for (const h of [...HOP_BY_HOP, ...listed]) headers.delete(h);
}

/** Deletes every header whose name or value holds `secret` (a client may paste the admin token anywhere). */
function dropHeadersHolding(headers: Headers, secret: string): void {
  const lower = secret.toLowerCase();
  let doomed: string[] | undefined;
  for (const [name, value] of headers) {
    if (value.includes(secret) || name.includes(lower)) (doomed ??= []).push(name);
  }
  if (doomed !== undefined) for (const name of doomed) headers.delete(name);
}

export interface OriginHeaderOptions {
  requestId: string;
  originToken: string | undefined;
  /** The admin token: no header that holds it is forwarded. */
  adminToken: string | undefined;
}

/** The headers an origin request carries. */
export function originRequestHeaders(incoming: Headers, opts: OriginHeaderOptions): Headers {
  const headers = new Headers(incoming);
  stripHopByHop(headers);
  for (const h of NEVER_FORWARDED) headers.delete(h);
  if (opts.adminToken !== undefined) dropHeadersHolding(headers, opts.adminToken);
  if (opts.originToken !== undefined) headers.set("x-origin-token", opts.originToken);
  headers.set("x-request-id", opts.requestId);
  return headers;
}

/** The origin's answer headers minus hop-by-hop ones. */
export function answerHeaders(origin: Headers): Headers {
  const headers = new Headers(origin);
  stripHopByHop(headers);
  return headers;
}

export interface OriginRequest {
  method: string;
  /** Path and query, e.g. "/predict?x=1". */
  pathAndQuery: string;
  headers: Headers;
  body: Uint8Array | ReadableStream | null;
}

/** The outcome of one origin attempt. */
export type Attempt =
  | { kind: "response"; origin: string; response: Response; latencyMs: number }
  | { kind: "failure"; origin: string; errorClass: Exclude<ErrorClass, "http5xx">; latencyMs: number; message: string };

class OriginTimeout extends Error {
  override readonly name = "OriginTimeout";
}

/**
 * The runtime refused to build the origin request (workerd throws a
 * TypeError, e.g. for a GET or HEAD with a body). It never left the router,
 * so it is our bug, answered as a logged 500: never the origin's fault,
 * never counted against a colour, never a cool-down.
 */
export class RequestRefused extends Error {
  override readonly name = "RequestRefused";
}

/** Sends `req` to `origin`, giving up on the response headers after `timeoutMs`. */
export async function fetchOrigin(origin: string, req: OriginRequest, timeoutMs: number): Promise<Attempt> {
  const controller = new AbortController();
  let request: Request;
  try {
    request = new Request(origin + req.pathAndQuery, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      redirect: "manual",
      signal: controller.signal,
    });
  } catch (err) {
    throw new RequestRefused(`the runtime refused the origin request (${req.method}): ${String(err)}`);
  }
  const timer = setTimeout(() => controller.abort(new OriginTimeout(`no answer within ${timeoutMs} ms`)), timeoutMs);
  const started = Date.now();
  try {
    const response = await fetch(request);
    return { kind: "response", origin, response, latencyMs: Date.now() - started };
  } catch (err) {
    const latencyMs = Date.now() - started;
    if (controller.signal.aborted) {
      return { kind: "failure", origin, errorClass: "timeout", latencyMs, message: `no answer within ${timeoutMs} ms` };
    }
    return { kind: "failure", origin, errorClass: "connect", latencyMs, message: String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** Whether an attempt counts as a failure of its colour (connect error, timeout, 5xx). */
export function failed(attempt: Attempt): ErrorClass | null {
  if (attempt.kind === "failure") return attempt.errorClass;
  return attempt.response.status >= 500 ? "http5xx" : null;
}
