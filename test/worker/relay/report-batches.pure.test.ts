// Covers worker/src/relay/report-batches.ts — exactly-once delivery between
// the hops of the relayed protocol: the sender numbers batches and resends
// them with the same number until acknowledged (dropping them only after
// MAX_BUFFER_AGE_MS, counted); the receiver takes each number once per
// sender, in order, whatever order or repetition it gets, and forgets senders
// silent for FORGET_SENDER_AFTER_MS or beyond its capacity.
import { describe, expect, it } from "vitest";
import { FORGET_SENDER_AFTER_MS, InboundSequences, OutboundBatches } from "../../../worker/src/relay/report-batches.js";
import { MAX_BUFFER_AGE_MS } from "../../../worker/src/telemetry.js";
import { bucket, totals } from "../../helpers/telemetry-buckets.js";

describe("OutboundBatches", () => {
  it("numbers batches from 1, skips empty ones, and resends unacknowledged ones with the same numbers", () => {
    const out = new OutboundBatches();
    out.add([bucket(1, "blue", 10)], 1000);
    out.add([], 1100);
    out.add([bucket(2, "blue", 5)], 2000);
    expect(out.toSend(2000).map((b) => b.seq)).toEqual([1, 2]);
    // The call failed: the next one sends the same two, plus a third.
    out.add([bucket(3, "blue", 7)], 3000);
    expect(out.toSend(3000).map((b) => b.seq)).toEqual([1, 2, 3]);
    expect(out.requests).toBe(22);
    expect(out.requestsAfter(1)).toBe(12);
    out.ack(2);
    expect(out.toSend(3000).map((b) => b.seq)).toEqual([3]);
    expect(out.size).toBe(1);
  });

  it("drops batches older than MAX_BUFFER_AGE_MS and counts their requests", () => {
    const out = new OutboundBatches();
    out.add([bucket(1, "green", 4, 1)], 0);
    out.add([bucket(50, "green", 6)], 50_000);
    expect(out.toSend(MAX_BUFFER_AGE_MS + 1).map((b) => b.seq)).toEqual([2]);
    expect(out.droppedRequests).toBe(4);
  });
});

describe("InboundSequences", () => {
  it("takes each batch of a sender once: a resend after a lost answer is acknowledged, not taken again", () => {
    const inbound = new InboundSequences();
    const first = [{ seq: 1, buckets: [bucket(1, "blue", 10)] }];
    expect(inbound.take("isolate-a", first, 0)).toEqual({ fresh: first, ackSeq: 1 });
    // The answer was lost: the sender resends batch 1 with its new batch 2.
    const again = [...first, { seq: 2, buckets: [bucket(2, "blue", 3)] }];
    const taken = inbound.take("isolate-a", again, 100);
    expect(taken.fresh.map((b) => b.seq)).toEqual([2]);
    expect(taken.ackSeq).toBe(2);
    expect(inbound.seqOf("isolate-a")).toBe(2);
    expect(inbound.seqOf("never-heard")).toBe(0);
    expect(totals(taken.fresh.flatMap((b) => b.buckets)).requests).toBe(3);
  });

  it("keeps senders apart, orders batches given out of order, and acknowledges nothing new with an empty call", () => {
    const inbound = new InboundSequences();
    const unordered = [2, 1, 3].map((seq) => ({ seq, buckets: [bucket(seq, "green", seq)] }));
    expect(inbound.take("a", unordered, 0).fresh.map((b) => b.seq)).toEqual([1, 2, 3]);
    expect(inbound.take("b", [{ seq: 1, buckets: [] }], 0).fresh.map((b) => b.seq)).toEqual([1]);
    expect(inbound.take("a", [], 10)).toEqual({ fresh: [], ackSeq: 3 });
    expect(inbound.heardSince(5)).toBe(1);
    expect(inbound.heardSince(0)).toBe(2);
  });

  it("forgets a sender silent for FORGET_SENDER_AFTER_MS, and the least recently heard beyond maxSenders", () => {
    const inbound = new InboundSequences({ maxSenders: 2 });
    inbound.take("old", [{ seq: 5, buckets: [] }], 0);
    inbound.take("x", [{ seq: 1, buckets: [] }], FORGET_SENDER_AFTER_MS + 1);
    expect(inbound.size).toBe(1);
    // A forgotten sender starts over (its old batches were dropped long before: MAX_BUFFER_AGE_MS < FORGET_SENDER_AFTER_MS).
    expect(inbound.take("old", [{ seq: 1, buckets: [] }], FORGET_SENDER_AFTER_MS + 2).fresh).toHaveLength(1);
    inbound.take("y", [{ seq: 1, buckets: [] }], FORGET_SENDER_AFTER_MS + 3);
    expect(inbound.size).toBe(2);
    expect(inbound.take("x", [{ seq: 1, buckets: [] }], FORGET_SENDER_AFTER_MS + 4).fresh).toHaveLength(1);
    expect(MAX_BUFFER_AGE_MS).toBeLessThan(FORGET_SENDER_AFTER_MS);
  });
});
