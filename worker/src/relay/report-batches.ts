/**
 * Exactly-once delivery of telemetry between the hops of the relayed report
 * path (isolate → relay → controller; docs/scale.md). The sender numbers each
 * batch of per-second buckets and keeps it until the receiver acknowledges
 * it, resending it with the same number after a failed call; the receiver
 * takes a sender's batches only above the highest number it has taken. So a
 * call refused as overloaded (nothing taken) and a call whose answer was lost
 * (taken, not acknowledged) both end with every prediction counted once.
 * Pure: time is passed in.
 */
import type { SecondBucket } from "../../../contract/telemetry.js";
import { MAX_BUFFER_AGE_MS } from "../telemetry.js";

/** One numbered batch; `seq` starts at 1 and grows by 1 per batch of one sender. */
export interface SequencedBatch {
  seq: number;
  buckets: SecondBucket[];
}

/** A receiver forgets a sender not heard from in this long; longer than any batch is kept (MAX_BUFFER_AGE_MS), so a forgotten sender has nothing left to resend. */
export const FORGET_SENDER_AFTER_MS = 5 * 60_000;
/** A receiver remembers at most this many senders (the least recently heard are forgotten first). */
export const MAX_SENDERS = 50_000;

interface Kept extends SequencedBatch {
  atMs: number;
}

/** Sender side: numbered batches awaiting acknowledgement. */
export class OutboundBatches {
  #nextSeq = 1;
  #unacked: Kept[] = [];
  /** Requests in batches dropped unacknowledged after MAX_BUFFER_AGE_MS (the receiver stayed unreachable). */
  droppedRequests = 0;

  /** Numbers `buckets` as the next batch (nothing when empty). */
  add(buckets: SecondBucket[], nowMs: number): void {
    if (buckets.length === 0) return;
    this.#unacked.push({ seq: this.#nextSeq++, buckets, atMs: nowMs });
  }

  /** The batches to send now, oldest first; batches older than MAX_BUFFER_AGE_MS are dropped first. */
  toSend(nowMs: number): SequencedBatch[] {
    while (this.#unacked.length > 0 && nowMs - this.#unacked[0]!.atMs > MAX_BUFFER_AGE_MS) {
      for (const b of this.#unacked.shift()!.buckets) this.droppedRequests += b.counts.requests;
    }
    return this.#unacked.map(({ seq, buckets }) => ({ seq, buckets }));
  }

  /** Forgets every batch up to `seq`, which the receiver has taken. */
  ack(seq: number): void {
    while (this.#unacked.length > 0 && this.#unacked[0]!.seq <= seq) this.#unacked.shift();
  }

  /** Batches awaiting acknowledgement. */
  get size(): number {
    return this.#unacked.length;
  }

  /** Requests awaiting acknowledgement (for accounting). */
  get requests(): number {
    return this.requestsAfter(0);
  }

  /** Requests in unacknowledged batches numbered above `seq` (those the receiver has not taken, when it has taken up to `seq`). */
  requestsAfter(seq: number): number {
    let n = 0;
    for (const batch of this.#unacked) if (batch.seq > seq) for (const b of batch.buckets) n += b.counts.requests;
    return n;
  }
}

/** Receiver side: the highest batch number taken per sender, and when each was last heard. */
export class InboundSequences {
  readonly #senders = new Map<string, { seq: number; atMs: number }>();
  readonly #maxSenders: number;
  readonly #forgetAfterMs: number;
  #sweptAtMs = Number.NEGATIVE_INFINITY;

  constructor(options: { maxSenders?: number; forgetAfterMs?: number } = {}) {
    this.#maxSenders = options.maxSenders ?? MAX_SENDERS;
    this.#forgetAfterMs = options.forgetAfterMs ?? FORGET_SENDER_AFTER_MS;
  }

  /**
   * The batches of `sender` not taken before, in order, and the number to
   * acknowledge (the highest taken). Marks them taken: the caller must count
   * every batch it gets back.
   */
  take<B extends { seq: number }>(sender: string, batches: readonly B[], nowMs: number): { fresh: B[]; ackSeq: number } {
    let known = this.#senders.get(sender);
    if (known === undefined) {
      known = { seq: 0, atMs: nowMs };
      this.#senders.set(sender, known);
    }
    const ordered = batches.every((b, i) => i === 0 || batches[i - 1]!.seq < b.seq) ? batches : [...batches].sort((a, b) => a.seq - b.seq);
    const fresh: B[] = [];
    for (const batch of ordered) {
      if (batch.seq <= known.seq) continue;
      fresh.push(batch);
      known.seq = batch.seq;
    }
    known.atMs = nowMs;
    this.#sweep(nowMs);
    return { fresh, ackSeq: known.seq };
  }

  /** The highest batch number taken from `sender` (0: none, or forgotten). */
  seqOf(sender: string): number {
    return this.#senders.get(sender)?.seq ?? 0;
  }

  /** Senders heard from at or after `sinceMs`. */
  heardSince(sinceMs: number): number {
    let n = 0;
    for (const s of this.#senders.values()) if (s.atMs >= sinceMs) n++;
    return n;
  }

  /** Senders remembered. */
  get size(): number {
    return this.#senders.size;
  }

  /** Every sender remembered, with its highest batch number and when it was last heard (for storage). */
  entries(): Array<{ sender: string; seq: number; atMs: number }> {
    return [...this.#senders].map(([sender, s]) => ({ sender, ...s }));
  }

  /** Remembers a sender as stored by entries(). */
  remember(sender: string, seq: number, atMs: number): void {
    this.#senders.delete(sender);
    this.#senders.set(sender, { seq, atMs });
  }

  // Forgets senders silent for FORGET_SENDER_AFTER_MS (swept a tenth of that apart), and the least recently heard beyond MAX_SENDERS.
  #sweep(nowMs: number): void {
    if (this.#senders.size <= this.#maxSenders && nowMs - this.#sweptAtMs < this.#forgetAfterMs / 10) return;
    this.#sweptAtMs = nowMs;
    for (const [sender, s] of this.#senders) if (nowMs - s.atMs > this.#forgetAfterMs) this.#senders.delete(sender);
    if (this.#senders.size <= this.#maxSenders) return;
    const oldestFirst = [...this.#senders].sort((a, b) => a[1].atMs - b[1].atMs);
    for (const [sender] of oldestFirst.slice(0, this.#senders.size - this.#maxSenders)) this.#senders.delete(sender);
  }
}
