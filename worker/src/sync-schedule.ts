/**
 * An isolate's side of the relayed protocol (docs/scale.md), pure: when to
 * sync with its location's relay (today's rule, syncReason: refresh once the
 * state is FLAG_TTL_MS old, report every REPORT_INTERVAL_MS, early on
 * errors), which relay shard to call, and the numbered batches that go with
 * each call until the relay acknowledges them — a refused or failed sync
 * keeps them for the next one and never touches the request that started it.
 * ControllerLink holds one per deployment and does the calling.
 */
import { OutboundBatches } from "./relay/report-batches.js";
import type { IsolateSync, RelayAnswer } from "./relay/relay-messages.js";
import { shardOf } from "./relay/relay-name.js";
import type { RoutingCache } from "./routing-state.js";
import { syncReason, trailingWaitMs, type TelemetryBuffer } from "./telemetry.js";

/** After a failed sync, wait at least this long before the next one (as controller-link.ts's SYNC_BACKOFF_MS). */
export const RELAY_SYNC_BACKOFF_MS = 1_000;

/** The isolate's sync cadence (RouterConfig's flagTtlMs and reportIntervalMs). */
export interface Cadence {
  flagTtlMs: number;
  reportIntervalMs: number;
}

/** Why a sync is due (telemetry.ts syncReason). */
export type SyncReason = "refresh" | "report" | "errors";

/** One isolate's sync schedule with its relay. */
export class SyncSchedule {
  readonly isolateId: string;
  readonly #outbound = new OutboundBatches();
  #lastSyncAtMs = Number.NEGATIVE_INFINITY;
  #retryAtMs = 0;
  #inFlight = false;
  #shards = 1;
  #unackedShard: number | null = null;

  constructor(isolateId: string) {
    this.isolateId = isolateId;
  }

  /** Why a sync is due now, or null: none while one is in flight or during the back-off after a failure. */
  due(nowMs: number, cadence: Cadence, buffer: TelemetryBuffer): SyncReason | null {
    if (this.#inFlight || nowMs < this.#retryAtMs) return null;
    return syncReason({ nowMs, lastSyncAtMs: this.#lastSyncAtMs, flagTtlMs: cadence.flagTtlMs, reportIntervalMs: cadence.reportIntervalMs }, buffer);
  }

  /**
   * Starts a sync: the buffer's outcomes become the next numbered batch, sent
   * with any unacknowledged ones to the shard those went to (so no batch can
   * reach two relays), else to the isolate's shard.
   */
  begin(nowMs: number, buffer: TelemetryBuffer): { shard: number; request: IsolateSync } {
    this.#inFlight = true;
    this.#lastSyncAtMs = nowMs;
    const shard = this.#outbound.size > 0 && this.#unackedShard !== null ? this.#unackedShard : shardOf(this.isolateId, this.#shards);
    this.#outbound.add(buffer.take().buckets, nowMs);
    this.#unackedShard = this.#outbound.size > 0 ? shard : null;
    return { shard, request: { isolateId: this.isolateId, batches: this.#outbound.toSend(nowMs) } };
  }

  /** Takes the relay's answer: acknowledged batches are forgotten, a newer state kept, the shard count learnt. */
  succeeded(answer: RelayAnswer, cache: RoutingCache): void {
    this.#inFlight = false;
    this.#outbound.ack(answer.ackSeq);
    if (this.#outbound.size === 0) this.#unackedShard = null;
    if (answer.state !== null) cache.accept(answer.state, "controller");
    if (answer.shards !== null) this.#shards = answer.shards;
  }

  /** The sync failed (refused as overloaded, unreachable, answer lost): its batches wait for the next one. */
  failed(nowMs: number): void {
    this.#inFlight = false;
    this.#retryAtMs = nowMs + RELAY_SYNC_BACKOFF_MS;
  }

  /** How long a trailing flush should wait before syncing what is pending (telemetry.ts trailingWaitMs). */
  trailingWaitMs(nowMs: number, cadence: Cadence, maxWaitMs: number): number {
    return trailingWaitMs({ nowMs, lastSyncAtMs: this.#lastSyncAtMs, retryAtMs: this.#retryAtMs, ...cadence }, maxWaitMs);
  }

  get inFlight(): boolean {
    return this.#inFlight;
  }

  /** Whether a sync failed and the back-off has not ended. */
  backingOff(nowMs: number): boolean {
    return nowMs < this.#retryAtMs;
  }

  /** Relay shards in this isolate's location, as last heard. */
  get shards(): number {
    return this.#shards;
  }

  /** Batches not yet acknowledged. */
  get unackedBatches(): number {
    return this.#outbound.size;
  }

  /** Requests in batches not yet acknowledged (for accounting). */
  get unackedRequests(): number {
    return this.#outbound.requests;
  }

  /** Requests in unacknowledged batches numbered above `seq` (not yet taken by a relay that has taken up to `seq`). */
  unackedRequestsAfter(seq: number): number {
    return this.#outbound.requestsAfter(seq);
  }

  /** The shard the unacknowledged batches went to, or null when there are none. */
  get unackedShard(): number | null {
    return this.#outbound.size > 0 ? this.#unackedShard : null;
  }

  /** Requests dropped unacknowledged after MAX_BUFFER_AGE_MS. */
  get droppedRequests(): number {
    return this.#outbound.droppedRequests;
  }
}

