/**
 * One attempt: one request to one origin, and what the client would get
 * from it. Request in (method, path, the headers from origin-headers.ts, the
 * validated bytes or a stream); out comes an answer classified for the
 * colour's windows — fine, 5xx, timeout (no response headers within the
 * origin timeout) or connect error — or RequestRefused when the runtime would
 * not even build the request. `clientAnswer` turns an attempt into the
 * client's response: the origin's answer minus hop-by-hop headers plus the
 * router's, or a 502/504 JSON error when no answer came. Which origin, and
 * whether to try another, is failover.ts's plan.
 */
import type { Color } from "../../contract/colors.js";
import type { ErrorClass } from "../../contract/telemetry.js";
import { errorResponse } from "./errors.js";
import { dropHopByHop } from "./origin-headers.js";

/** What an attempt sends. */
export interface OriginRequest {
  method: string;
  /** Path and query, e.g. "/predict?x=1". */
  pathAndQuery: string;
  headers: HeadersInit;
  /** A prediction's validated bytes (replayable), another request's stream, or none. */
  body: Uint8Array | ReadableStream | null;
}

/** The outcome of one attempt. */
export interface Attempt {
  origin: string;
  latencyMs: number;
  /** The origin's answer; null when none came (connect error, timeout). */
  response: Response | null;
  /** The answer's body when it was taken out of `response` (read whole or teed: answer-labels.ts); the client gets this instead. */
  body?: Uint8Array | ReadableStream;
  /** A streamed answer's bytes as its counted copy was read after the answer (null past the label cap or broken off): the shadow mirror compares them. */
  streamedBytes?: Promise<Uint8Array | null>;
  /** Its status, 0 when none came. */
  status: number;
  /** What counts against the colour: null for an answer below 500. */
  error: ErrorClass | null;
  /** Why no answer came ("" when one did). */
  message: string;
}

/** The router's own headers on every answer it passes on. */
export interface RouterHeaders {
  color: Color;
  epoch: number;
  /** The standby colour that served after the active one failed, or null. */
  failoverTo: Color | null;
  requestId: string;
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

class OriginTimeout extends Error {
  override readonly name = "OriginTimeout";
}

function abortOnTimeout(controller: AbortController, timeoutMs: number): void {
  controller.abort(new OriginTimeout(`no answer within ${timeoutMs} ms`));
}

/** Sends `req` to `origin`, giving up on the response headers after `timeoutMs` (the body may take longer). */
export async function attemptOrigin(origin: string, req: OriginRequest, timeoutMs: number): Promise<Attempt> {
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
  const timer = setTimeout(abortOnTimeout, timeoutMs, controller, timeoutMs);
  const started = Date.now();
  try {
    const response = await fetch(request);
    const status = response.status;
    return { origin, latencyMs: Date.now() - started, response, status, error: status >= 500 ? "http5xx" : null, message: "" };
  } catch (err) {
    const latencyMs = Date.now() - started;
    if (controller.signal.aborted) {
      return { origin, latencyMs, response: null, status: 0, error: "timeout", message: `no answer within ${timeoutMs} ms` };
    }
    return { origin, latencyMs, response: null, status: 0, error: "connect", message: String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** The client's answer from an attempt: the origin's (status, body, end-to-end headers) or a 502/504 JSON error. */
export function clientAnswer(attempt: Attempt, router: RouterHeaders): Response {
  const origin = attempt.response;
  let answer: Response;
  if (origin === null) {
    answer =
      attempt.error === "timeout"
        ? errorResponse("timeout", `the origin did not answer in time (${attempt.message})`)
        : errorResponse("bad_gateway", "the origin could not be reached");
  } else {
    // The runtime copies the headers once into the new answer's own, mutable set (a fetched answer's are immutable).
    answer = new Response(attempt.body ?? origin.body, { status: attempt.status, statusText: origin.statusText, headers: origin.headers });
    dropHopByHop(answer.headers);
  }
  const headers = answer.headers;
  headers.set("x-bluegreen-color", router.color);
  headers.set("x-bluegreen-epoch", String(router.epoch));
  if (router.failoverTo !== null) headers.set("x-bluegreen-failover", router.failoverTo);
  headers.set("x-request-id", router.requestId);
  return answer;
}

/** Drops an attempt's answer unread (the standby's failure when the active one's is given instead). */
export async function discard(attempt: Attempt): Promise<void> {
  await attempt.response?.body?.cancel().catch(() => undefined);
}
