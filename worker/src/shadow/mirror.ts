/**
 * The router's shadow mirror (docs/architecture.md "Shadow traffic"). While
 * the routing state says the standby is shadowed, a sampled prediction that
 * the active colour answered normally (2xx, no failover, not a preview) is
 * sent once more, the same validated bytes, to the standby — under
 * ctx.waitUntil, after the user's answer is complete, so nothing the user
 * waits on depends on it. Never retried, never failed over, its own timeout
 * (SHADOW_TIMEOUT_MS, answer and body), at most SHADOW_MAX_IN_FLIGHT per
 * isolate (a sampled request over the cap is counted as dropped). It carries
 * `x-bluegreen-shadow: 1` and the origin token. Its outcome goes to the
 * telemetry's shadow counts of the standby (compare.ts compares the answers)
 * and nowhere else: not the colours' windows, not the pools' passive health.
 * Texts are never kept or logged.
 */
import type { Color } from "../../../contract/colors.js";
import type { AnswerKind } from "../../../contract/labels.js";
import type { RoutingState } from "../../../contract/routing.js";
import { latencyBucket, type ErrorClass } from "../../../contract/telemetry.js";
import type { ShadowRouterSettings } from "../../../contract/shadow.js";
import type { Attempt } from "../attempt.js";
import type { WaitUntil } from "../controller-link.js";
import type { TelemetryBuffer } from "../telemetry.js";
import { compareItems, itemsOf } from "./compare.js";

/** The header that marks a mirrored request to the origin. */
export const SHADOW_HEADER = "x-bluegreen-shadow";

/** What one mirror sends, and where its outcome is counted. */
export interface MirrorRequest {
  standby: Color;
  origins: readonly string[];
  pathAndQuery: string;
  /** The origin request's headers (origin token included); the shadow header is added. */
  headers: Record<string, string>;
  body: Uint8Array;
  kind: AnswerKind;
  expected: number;
  telemetry: TelemetryBuffer;
  settings: ShadowRouterSettings;
  ctx: WaitUntil;
  /** Called once a mirror's outcome is counted: lets the link report it even if no request follows (ControllerLink.afterRequest). */
  counted: () => void;
}

/** Whether the state asks for mirroring now, and this request is in the sample. */
export function sampled(state: RoutingState, nowMs: number, random: () => number = Math.random): boolean {
  const shadow = state.shadow;
  if (shadow === undefined || shadow.epoch !== state.epoch || nowMs >= shadow.endsAt || shadow.sample <= 0) return false;
  return shadow.sample >= 1 || random() < shadow.sample;
}

/** One isolate's mirror: its in-flight count and its own round-robin over the standby's pool. */
export class ShadowMirror {
  #inFlight = 0;
  #next = 0;

  /** Mirrors in flight now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Called with the active colour's answer once the user's answer is
   * complete: mirrors the request if there is room (else counts it as
   * dropped). Never throws, never awaits.
   */
  send(req: MirrorRequest, active: Attempt): void {
    if (this.#inFlight >= req.settings.maxInFlight) {
      req.telemetry.shadowCounts(req.standby, Date.now()).dropped += 1;
      return;
    }
    this.#inFlight += 1;
    const origin = req.origins[this.#next++ % req.origins.length]!;
    // Read whole with its headers (the usual answer), or streamed to the user and read after it (answer-labels.ts).
    const activeBytes = active.body instanceof Uint8Array ? Promise.resolve(active.body) : (active.streamedBytes ?? Promise.resolve(null));
    req.ctx.waitUntil(
      // A timer turn later: the user's answer has gone back to the runtime before the mirror's request is even built.
      afterThisTurn()
        .then(() => mirrorOnce(origin, req, active.latencyMs, activeBytes))
        .catch((err: unknown) => console.error("router: shadow mirror failed (a bug; the user was not affected)", String(err)))
        .finally(() => {
          this.#inFlight -= 1;
          req.counted();
        }),
    );
  }
}

/** Resolves in a later macrotask (after the current handler has returned its answer). */
function afterThisTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Sends one mirror and counts what came back. */
async function mirrorOnce(origin: string, req: MirrorRequest, activeLatencyMs: number, activeAnswer: Promise<Uint8Array | null>): Promise<void> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), req.settings.timeoutMs);
  const started = Date.now();
  let latencyMs = 0;
  let status = 0;
  let error: ErrorClass | null = null;
  let bytes: Uint8Array | null = null;
  try {
    const response = await fetch(origin + req.pathAndQuery, {
      method: "POST",
      headers: { ...req.headers, [SHADOW_HEADER]: "1" },
      body: req.body,
      redirect: "manual",
      signal: controller.signal,
    });
    // Measured to the answer's headers, as the active colour's attempt is (attempt.ts).
    latencyMs = Date.now() - started;
    status = response.status;
    if (status >= 200 && status <= 299) bytes = new Uint8Array(await response.arrayBuffer());
    else await response.body?.cancel();
    if (status >= 500) error = "http5xx";
  } catch {
    if (latencyMs === 0) latencyMs = Date.now() - started;
    error = controller.signal.aborted ? "timeout" : "connect";
    bytes = null;
  } finally {
    clearTimeout(timer);
  }
  const counts = req.telemetry.shadowCounts(req.standby, Date.now());
  counts.sent += 1;
  counts.activeLatency[latencyBucket(activeLatencyMs)]! += 1;
  counts.standbyLatency[latencyBucket(latencyMs)]! += 1;
  if (error !== null) {
    counts.errors[error] += 1;
    return;
  }
  if (bytes === null) {
    counts.otherStatus += 1;
    return;
  }
  const c = compareItems(itemsOf(req.kind, req.expected, await activeAnswer), itemsOf(req.kind, req.expected, bytes));
  counts.compared += c.compared;
  counts.agreed += c.agreed;
  counts.unparseable += c.unparseable;
  counts.confidencePairs += c.confidencePairs;
  counts.confidenceDeltaMicros += c.confidenceDeltaMicros;
}
