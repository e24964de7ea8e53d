/**
 * A relay's logic, pure (docs/scale.md): it takes its isolates' numbered
 * batches (each exactly once), merges them by second and colour, answers
 * each isolate with the routing state it holds, and decides when to forward
 * the merged batch to the controller — every `forwardIntervalMs` the
 * controller sets while it has isolates, sooner when the active colour's
 * pending errors are above the policy's rate, at once when it holds no state
 * yet — each interval jittered by ±FORWARD_JITTER so relays do not herd. The
 * controller's answers and pushes keep its state current. The
 * relay Durable Object wraps this: it calls sync() per isolate call, starts
 * a forward when forwardReason() says so, and arms an alarm at
 * nextCheckAtMs().
 */
import { RoutingCache } from "../routing-state.js";
import type { RoutingState } from "../../../contract/routing.js";
import { BucketSums } from "./bucket-merge.js";
import type { ForwardAnswer, IsolateSync, RelayAnswer, RelayForward } from "./relay-messages.js";
import { InboundSequences, OutboundBatches } from "./report-batches.js";

/** Forward early only with at least this many pending errors on the active colour… */
export const RELAY_EARLY_MIN_ERRORS = 5;
/** …above this share of its pending requests, until the controller says otherwise (its MAX_ERROR_RATE). */
export const DEFAULT_EARLY_ERROR_RATE = 0.05;
/**
 * An early forward comes at most this long before the regular one would (and
 * at least EARLY_FORWARD_MIN_GAP_MS after the last): with R relays at
 * interval R / TARGET_FORWARDS_PER_SECOND, about 75 of them may forward at
 * once when a colour starts failing, however large R is — while at the
 * minimum interval (few relays) an early forward waits at most 250 ms.
 */
export const EARLY_FORWARD_WINDOW_MS = 750;
export const EARLY_FORWARD_MIN_GAP_MS = 250;
/** Each interval is stretched or shrunk by up to this share at random, so relays that started together do not forward together. */
export const FORWARD_JITTER = 0.2;
/** After a failed forward, wait this long before the next. */
export const RELAY_RETRY_MS = 1_000;
/** An isolate that synced within this long counts as one of the relay's isolates. */
export const ISOLATE_ACTIVE_MS = 2_500;
/** The interval before the controller's first answer. */
export const FIRST_FORWARD_INTERVAL_MS = 1_000;

/** Why a forward is due: no state yet, the interval, or errors worth reporting early. */
export type ForwardReason = "cold" | "interval" | "errors";

/** One relay instance's state: routing cache, merged pending outcomes, forward schedule. */
export class RelayCore {
  readonly cache = new RoutingCache();
  readonly relay: string;
  readonly incarnation: string;
  readonly colo: string;
  readonly #sums = new BucketSums();
  readonly #out = new OutboundBatches();
  readonly #in = new InboundSequences();
  #lastForwardAtMs = Number.NEGATIVE_INFINITY;
  #retryAtMs = 0;
  #inFlight = false;
  #intervalMs = FIRST_FORWARD_INTERVAL_MS;
  #earlyErrorRate = DEFAULT_EARLY_ERROR_RATE;
  #shards: number | null = null;
  #syncsSinceForward = 0;
  #jitter = 1;
  readonly #random: () => number;

  /** `relay`: its Durable Object name; `incarnation`: a random id of this instance; `random`: uniform in [0, 1) (seeded in the simulation). */
  constructor(relay: string, incarnation: string, colo: string, random: () => number = Math.random) {
    this.relay = relay;
    this.incarnation = incarnation;
    this.colo = colo;
    this.#random = random;
  }

  /** Takes an isolate's call: its new batches are merged (each once), the answer acknowledges them. */
  sync(request: IsolateSync, nowMs: number): RelayAnswer {
    const { fresh, ackSeq } = this.#in.take(request.isolateId, request.batches, nowMs);
    for (const batch of fresh) for (const bucket of batch.buckets) this.#sums.add(bucket);
    this.#syncsSinceForward += 1;
    return { state: this.cache.state, ackSeq, shards: this.#shards };
  }

  /** Why a forward is due now, or null (one at a time; none during the retry back-off). */
  forwardReason(nowMs: number): ForwardReason | null {
    if (this.#inFlight || nowMs < this.#retryAtMs) return null;
    const state = this.cache.state;
    if (state === null) return "cold";
    const sinceMs = nowMs - this.#lastForwardAtMs;
    const intervalMs = this.#intervalMs * this.#jitter;
    if (sinceMs >= intervalMs && this.#hasWork()) return "interval";
    if (sinceMs >= Math.max(intervalMs - EARLY_FORWARD_WINDOW_MS, EARLY_FORWARD_MIN_GAP_MS) && this.#errorsWorthReporting(state)) return "errors";
    return null;
  }

  /**
   * When a forward falls due if no isolate calls before (the relay's alarm):
   * the regular forward, or the early one while errors are worth reporting;
   * null: nothing to do until one does. A relay without a state retries on
   * its alarm only while it holds outcomes (at most MAX_BUFFER_AGE_MS), so a
   * relay nobody calls stops waking up while the controller stays unreachable.
   */
  nextCheckAtMs(): number | null {
    if (this.#inFlight || !this.#hasWork()) return null;
    const state = this.cache.state;
    if (state === null) return this.#retryAtMs;
    const intervalMs = this.#intervalMs * this.#jitter;
    // Errors worth an early forward: at the earliest time forwardReason allows it, not the regular one (no
    // isolate call may come before: an isolate syncs on errors only every few failures).
    const afterMs = this.#errorsWorthReporting(state) ? Math.max(intervalMs - EARLY_FORWARD_WINDOW_MS, EARLY_FORWARD_MIN_GAP_MS) : intervalMs;
    return Math.max(this.#retryAtMs, this.#lastForwardAtMs + afterMs);
  }

  /** Starts a forward: the pending sums become the next numbered batch; sent with any unacknowledged ones. */
  beginForward(nowMs: number): RelayForward {
    this.#inFlight = true;
    this.#lastForwardAtMs = nowMs;
    this.#jitter = 1 - FORWARD_JITTER + 2 * FORWARD_JITTER * this.#random();
    this.#out.add(this.#sums.take(), nowMs);
    this.#syncsSinceForward = 0;
    return {
      relay: this.relay,
      incarnation: this.incarnation,
      colo: this.colo,
      batches: this.#out.toSend(nowMs),
      isolates: this.#in.heardSince(nowMs - ISOLATE_ACTIVE_MS),
    };
  }

  /** Takes the controller's answer: acknowledged batches are forgotten, state and schedule kept. */
  forwardSucceeded(answer: ForwardAnswer): void {
    this.#inFlight = false;
    this.#out.ack(answer.ackSeq);
    this.cache.accept(answer.state, "controller");
    this.#intervalMs = answer.forwardIntervalMs;
    this.#earlyErrorRate = answer.earlyErrorRate;
    this.#shards = answer.shards;
  }

  /** A forward failed (refused, unreachable): its batches stay and go with the next one. */
  forwardFailed(nowMs: number): void {
    this.#inFlight = false;
    this.#retryAtMs = nowMs + RELAY_RETRY_MS;
  }

  /** Takes a state the controller pushed after a change; answers whether it was newer. */
  push(state: RoutingState): boolean {
    return this.cache.accept(state, "controller");
  }

  /** Relays in this relay's location as the controller last said; null before its first answer. */
  get shards(): number | null {
    return this.#shards;
  }

  /** Requests taken from isolates and not yet acknowledged by the controller (for accounting). */
  get pendingRequests(): number {
    return this.pendingRequestsAfter(0);
  }

  /** Requests taken from isolates that the controller has not taken, when it has taken this relay's batches up to `seq`. */
  pendingRequestsAfter(seq: number): number {
    return this.#sums.totals("blue").requests + this.#sums.totals("green").requests + this.#out.requestsAfter(seq);
  }

  /** The highest batch number taken from an isolate. */
  takenSeq(isolateId: string): number {
    return this.#in.seqOf(isolateId);
  }

  /** Requests dropped after MAX_BUFFER_AGE_MS without reaching the controller. */
  get droppedRequests(): number {
    return this.#out.droppedRequests;
  }

  // Outcomes to send, or isolates relying on this relay's state (it keeps it fresh and stays on the controller's push list).
  #hasWork(): boolean {
    return !this.#sums.empty || this.#out.size > 0 || this.#syncsSinceForward > 0;
  }

  #errorsWorthReporting(state: RoutingState): boolean {
    const { requests, errors } = this.#sums.totals(state.active);
    return errors >= RELAY_EARLY_MIN_ERRORS && errors > this.#earlyErrorRate * requests;
  }
}
