// Covers worker/src/relay/relay-messages.ts — what each hop of the relayed
// protocol checks of what it receives: an isolate's sync and a relay's
// forward whose envelope does not read are refused, while a batch's bad
// buckets are only dropped (the rest still count, as in a report); the
// answers read strictly.
import { describe, expect, it } from "vitest";
import { checkedBuckets, ForwardAnswerSchema, IsolateSyncEnvelope, RelayAnswerSchema, RelayForwardEnvelope } from "../../../worker/src/relay/relay-messages.js";
import { bucket, routingState } from "../../helpers/telemetry-buckets.js";

describe("checkedBuckets", () => {
  it("keeps the buckets that read and counts the others", () => {
    const good = bucket(5, "blue", 10, 2);
    const bad = [{ ...good, color: "red" }, { ...good, counts: { ...good.counts, requests: 1 } }, "junk", null];
    expect(checkedBuckets([good, ...bad, good])).toEqual({ buckets: [good, good], invalid: 4 });
  });
});

describe("envelopes", () => {
  it("an isolate's sync: an id and numbered batches; buckets are left for checkedBuckets", () => {
    expect(IsolateSyncEnvelope.safeParse({ isolateId: "i", batches: [{ seq: 1, buckets: ["anything"] }] }).success).toBe(true);
    for (const bad of [{ batches: [] }, { isolateId: "", batches: [] }, { isolateId: "i", batches: [{ seq: 0, buckets: [] }] }, { isolateId: "i", batches: [{ seq: 1.5, buckets: [] }] }]) {
      expect(IsolateSyncEnvelope.safeParse(bad).success).toBe(false);
    }
  });

  it("a relay's forward: the relay must be named as relayName names relays", () => {
    const forward = { relay: "prod/relay/LHR/0", incarnation: "x", colo: "LHR", batches: [], isolates: 3 };
    expect(RelayForwardEnvelope.safeParse(forward).success).toBe(true);
    expect(RelayForwardEnvelope.safeParse({ ...forward, relay: "somewhere/else" }).success).toBe(false);
    expect(RelayForwardEnvelope.safeParse({ ...forward, isolates: -1 }).success).toBe(false);
  });

  it("the answers read strictly: a state or null, a whole ack, shards ≥ 1", () => {
    const state = routingState("green", 3);
    expect(RelayAnswerSchema.safeParse({ state: null, ackSeq: 0, shards: null }).success).toBe(true);
    expect(RelayAnswerSchema.safeParse({ state, ackSeq: 2, shards: 0 }).success).toBe(false);
    expect(ForwardAnswerSchema.safeParse({ state, ackSeq: 1, forwardIntervalMs: 1000, earlyErrorRate: 0.05, shards: 2 }).success).toBe(true);
    expect(ForwardAnswerSchema.safeParse({ state: null, ackSeq: 1, forwardIntervalMs: 1000, earlyErrorRate: 0.05, shards: 2 }).success).toBe(false);
  });
});
