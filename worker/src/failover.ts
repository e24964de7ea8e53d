/**
 * The plan for serving one request from the pools: the active colour's next
 * origin (or the preview colour's); on a connect error, timeout or 5xx, once
 * more on the standby colour when it is not known unhealthy, has an origin
 * that is not cooling down, the body can be sent again and FAILOVER=standby
 * — holding the active colour's 5xx answer meanwhile, which the client gets
 * if the standby fails too. Every attempt of a prediction cools a failed
 * origin down and (unless a preview) is counted against the colour it went
 * to; other paths count nowhere. The answer a prediction gets has its
 * labels counted for the colour that gave it (answer-labels.ts). Each
 * attempt itself is attempt.ts's.
 */
import { otherColor, type Color } from "../../contract/colors.js";
import { MAX_BODY_BYTES } from "../../contract/prediction.js";
import type { RoutingState } from "../../contract/routing.js";
import { countAnswerLabels, type LabelReading } from "./answer-labels.js";
import { attemptOrigin, clientAnswer, discard, type Attempt, type OriginRequest } from "./attempt.js";
import type { RouterConfig } from "./config.js";
import type { ControllerLink } from "./controller-link.js";
import { errorResponse } from "./errors.js";
import { mayFailover } from "./failover-rule.js";
import { ORIGIN_FAIL_TIMEOUT_MS, type PoolSet } from "./pools.js";

export interface ServePlan {
  state: RoutingState;
  config: RouterConfig;
  pools: PoolSet;
  link: ControllerLink;
  request: OriginRequest;
  requestId: string;
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
  /**
   * How to read the answer's labels for the prediction telemetry
   * (answer-labels.ts): set for a prediction that is not a preview, with
   * LABEL_TELEMETRY=on; null reads nothing.
   */
  labels: LabelReading | null;
  /**
   * Set when this request is mirrored to the shadowed standby
   * (shadow/mirror.ts): called with the active colour's 2xx answer after the
   * user's answer is built; never when the request failed over.
   */
  mirror: ((active: Attempt) => void) | null;
}

/** Serves the request from the active colour (or the preview colour), failing over once. */
export async function serve(plan: ServePlan): Promise<Response> {
  const primary = plan.preview ?? plan.state.active;
  const first = await attemptOn(plan, primary);
  const standby = otherColor(primary);
  if (first.error === null) {
    const served = await labelled(plan, first, primary);
    const response = answer(plan, served, primary, null);
    if (plan.mirror !== null && served.status >= 200 && served.status <= 299) plan.mirror(served);
    return response;
  }
  if (!mayFailoverTo(plan, standby)) return answer(plan, first, primary, null);

  const held = await hold(first);
  const second = await attemptOn(plan, standby);
  if (second.error === null) return answer(plan, await labelled(plan, second, standby), standby, standby);
  await discard(second);
  // Both failed: the client hears about the active colour's failure.
  return answer(plan, held, primary, null);
}

/** Whether a failed attempt may be retried on `standby` (the rule is failover-rule.ts's, shared with the simulation). */
function mayFailoverTo(plan: ServePlan, standby: Color): boolean {
  return mayFailover({
    state: plan.state,
    standby,
    failover: plan.config.failover,
    preview: plan.preview,
    replayable: plan.replayable,
    standbyAvailable: () => plan.pools.available(plan.config.origins[standby], Date.now()),
  });
}

/** One attempt on `color`'s next origin, with its pool mark and telemetry when it is a prediction. */
async function attemptOn(plan: ServePlan, color: Color): Promise<Attempt> {
  const { pools } = plan;
  const origin = pools.pick(plan.config.origins[color], Date.now());
  const result = await attemptOrigin(origin, plan.request, plan.config.originTimeoutMs);
  if (!plan.prediction) return result;
  const nowMs = Date.now();
  if (result.error === null) pools.markOk(origin);
  else {
    // Logged once per cool-down, not once per request.
    if (!pools.cooling(origin, nowMs)) {
      console.warn(`router: ${color} origin ${origin} failed (${result.error}); skipping it for ${ORIGIN_FAIL_TIMEOUT_MS} ms`);
    }
    pools.markFailed(origin, nowMs);
  }
  if (plan.preview === null) plan.link.telemetry.record({ color, latencyMs: result.latencyMs, error: result.error }, nowMs);
  return result;
}

/** A good answer with its labels counted for `color` (prediction telemetry), when the plan reads them. */
function labelled(plan: ServePlan, attempt: Attempt, color: Color): Promise<Attempt> | Attempt {
  return plan.labels === null ? attempt : countAnswerLabels(attempt, color, plan.labels);
}

function answer(plan: ServePlan, attempt: Attempt, color: Color, failoverTo: Color | null): Response {
  return clientAnswer(attempt, { color, epoch: plan.state.epoch, failoverTo, requestId: plan.requestId });
}

/** Reads a failed answer's body (bounded) so it can be given later, after the standby was tried. */
async function hold(attempt: Attempt): Promise<Attempt> {
  const response = attempt.response;
  if (response === null) return attempt;
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
        return { ...attempt, response: errorResponse("bad_gateway", `the origin answered ${attempt.status}`), status: 502 };
      }
      chunks.push(value);
    }
  }
  return { ...attempt, response: new Response(chunks.length === 0 ? null : new Blob(chunks), response) };
}
