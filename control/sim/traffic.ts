/**
 * Traffic aggregated per isolate per tick (100 ms by default, 250 ms at
 * 50,000 isolates; isolates tick in ten groups spread over the tick:
 * scenario.ts), so a million predictions a second stay within a laptop's
 * budget while counts stay exact. Each tick an isolate draws its arrivals n ~ Poisson(rate·tick);
 * of the n attempts on the active colour e ~ Binomial(n, p_active) fail;
 * when the failover rule allows (failover-rule.ts, the router's own), those e
 * are tried on the standby, of which f ~ Binomial(e, p_standby) fail too and
 * reach the user; otherwise all e do. The counts go into the isolate's real
 * TelemetryBuffer through recordCounts() — the same sums as n + e record()
 * calls — in the tick's second, with every attempt in the 20 ms latency
 * bucket (latency is not judged by the default policy). So every generated
 * attempt is counted exactly once; what is lost to aggregation is only the
 * timing inside a tick (the early-flush rule is checked once per tick).
 */
import type { Rng } from "./engine/rng.js";
import { binomial, poisson } from "./engine/distributions.js";
import type { TelemetryBuffer } from "../../worker/src/telemetry.js";
import { type Color } from "../../contract/colors.js";
import { emptyCounts, latencyBucket } from "../../contract/telemetry.js";

/** The latency every simulated attempt is counted with. */
export const SIM_LATENCY_MS = 20;
const LATENCY_INDEX = latencyBucket(SIM_LATENCY_MS);

/** One isolate's tick. */
export interface TickOutcome {
  /** Client requests answered (= arrivals). */
  served: number;
  /** Attempts and failures on the active colour. */
  activeRequests: number;
  activeErrors: number;
  /** Failover attempts on the standby and their failures. */
  standbyRequests: number;
  standbyErrors: number;
  /** Requests whose answer was an error (both colours failed, or no failover). */
  userErrors: number;
}

/** An all-zero outcome to draw into (drawTick reuses it: no allocation per isolate and tick). */
export function emptyTick(): TickOutcome {
  return { served: 0, activeRequests: 0, activeErrors: 0, standbyRequests: 0, standbyErrors: 0, userErrors: 0 };
}

/** Draws one tick of one isolate into `out`: `lambda` expected arrivals, failure probabilities per colour, whether failover is allowed. */
export function drawTick(rng: Rng, lambda: number, pActive: number, pStandby: number, failover: boolean, out: TickOutcome): TickOutcome {
  const served = poisson(rng, lambda);
  const activeErrors = binomial(rng, served, pActive);
  const standbyRequests = failover ? activeErrors : 0;
  const standbyErrors = failover ? binomial(rng, activeErrors, pStandby) : 0;
  out.served = served;
  out.activeRequests = served;
  out.activeErrors = activeErrors;
  out.standbyRequests = standbyRequests;
  out.standbyErrors = standbyErrors;
  out.userErrors = failover ? standbyErrors : activeErrors;
  return out;
}

const scratch = emptyCounts();

function record(buffer: TelemetryBuffer, color: Color, requests: number, errors: number, nowMs: number): void {
  if (requests === 0) return;
  scratch.requests = requests;
  scratch.errors.http5xx = errors;
  scratch.latency[LATENCY_INDEX] = requests;
  buffer.recordCounts(color, scratch, nowMs);
}

/** Puts a tick's counts into the isolate's buffer at `nowMs`. */
export function recordTick(buffer: TelemetryBuffer, active: Color, standby: Color, tick: TickOutcome, nowMs: number): void {
  record(buffer, active, tick.activeRequests, tick.activeErrors, nowMs);
  record(buffer, standby, tick.standbyRequests, tick.standbyErrors, nowMs);
  if (tick.served > 0) buffer.noteServed(tick.served);
}
