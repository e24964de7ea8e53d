/**
 * Serving one request from the pools (docs/architecture.md "Router"): the
 * active colour's next origin; on a connect error, timeout or 5xx, once more
 * on the standby colour when it is healthy and FAILOVER=standby. Every
 * attempt of a prediction is counted against the colour it went to (other
 * paths count nowhere); answers carry x-bluegreen-color, x-bluegreen-epoch
 * and, when the standby served, x-bluegreen-failover.
 */
import type { Color } from "../../contract/colors.js";
import { MAX_BODY_BYTES } from "../../contract/prediction.js";
import type { RoutingState } from "../../contract/routing.js";
import type { RouterConfig } from "./config.js";
import type { ControllerLink } from "./controller-link.js";
import { errorResponse } from "./errors.js";
import { mayFailover } from "./failover-rule.js";
import { ORIGIN_FAIL_TIMEOUT_MS, type PoolSet } from "./pools.js";
import { answerHeaders, failed, fetchOrigin, type Attempt, type OriginRequest } from "./proxy.js";
import { standbyOf } from "./routing-state.js";

export interface ServePlan {
  state: RoutingState;
  config: RouterConfig;
  pools: PoolSet;
  link: ControllerLink;
  request: OriginRequest;
  /** Whether the body can be sent a second time (buffered or absent). */
  replayable: boolean;
  /** A preview request's colour: no failover, not counted in telemetry. */
  preview: Color | null;
  /**
   * Whether this is a prediction. Only predictions steer anything: their
   * outcomes cool origins down and (unless previews) feed the controller's
   * windows. Other allowed paths are passed on and counted nowhere, so junk
   * traffic can neither hide a failing colour nor condemn a healthy one.
   */
  prediction: boolean;
}

/** What the client gets when no origin answered. */
function failureAnswer(attempt: Attempt & { kind: "failure" }): Response {
  return attempt.errorClass === "timeout"
    ? errorResponse("timeout", `the origin did not answer in time (${attempt.message})`)
    : errorResponse("bad_gateway", "the origin could not be reached");
}

/** Reads a failed answer's body (bounded) so it can be given later, after the standby was tried. */
async function keep(response: Response): Promise<Response> {
  const reader = response.body?.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > MAX_BODY_BYTES) {
        await reader.cancel().catch(() => undefined);
        return errorResponse("bad_gateway", `the origin answered ${response.status}`);
      }
      chunks.push(value);
    }
  }
  return new Response(chunks.length === 0 ? null : new Blob(chunks), response);
}

function decorate(response: Response, served: Color, state: RoutingState, failoverTo: Color | null): Response {
  const headers = answerHeaders(response.headers);
  headers.set("x-bluegreen-color", served);
  headers.set("x-bluegreen-epoch", String(state.epoch));
  if (failoverTo !== null) headers.set("x-bluegreen-failover", failoverTo);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

async function attempt(plan: ServePlan, color: Color): Promise<Attempt> {
  const origin = plan.pools.pick(plan.config.origins[color], Date.now());
  const result = await fetchOrigin(origin, plan.request, plan.config.originTimeoutMs);
  if (!plan.prediction) return result;
  const error = failed(result);
  if (error === null) plan.pools.markOk(origin);
  else {
    // Logged once per cool-down, not once per request.
    if (!plan.pools.cooling(origin, Date.now())) {
      console.warn(`router: ${color} origin ${origin} failed (${error}); skipping it for ${ORIGIN_FAIL_TIMEOUT_MS} ms`);
    }
    plan.pools.markFailed(origin, Date.now());
  }
  if (plan.preview === null) plan.link.telemetry.record({ color, latencyMs: result.latencyMs, error }, Date.now());
  return result;
}

/** The client's answer from an attempt that reached `color`'s origin, or failed to. */
function answerOf(attempt: Attempt, color: Color, state: RoutingState, failoverTo: Color | null): Response {
  const response = attempt.kind === "response" ? attempt.response : failureAnswer(attempt);
  return decorate(response, color, state, failoverTo);
}

/** Serves the request from the active colour (or the preview colour), failing over once. */
export async function serve(plan: ServePlan): Promise<Response> {
  const { state, config, pools } = plan;
  const primary = plan.preview ?? state.active;
  const first = await attempt(plan, primary);
  if (failed(first) === null) return answerOf(first, primary, state, null);

  const standby = standbyOf({ ...state, active: primary });
  const failover = mayFailover({
    state,
    standby,
    failover: config.failover,
    preview: plan.preview,
    replayable: plan.replayable,
    standbyAvailable: () => pools.available(config.origins[standby], Date.now()),
  });
  if (!failover) return answerOf(first, primary, state, null);

  // Hold the active colour's 5xx answer while the standby is tried.
  const held: Attempt = first.kind === "response" ? { ...first, response: await keep(first.response) } : first;
  const second = await attempt(plan, standby);
  if (failed(second) === null) return answerOf(second, standby, state, standby);
  if (second.kind === "response") await second.response.body?.cancel().catch(() => undefined);
  // Both failed: the client hears about the active colour's failure.
  return answerOf(held, primary, state, null);
}
