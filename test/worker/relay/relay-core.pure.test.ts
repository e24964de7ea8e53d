// Covers worker/src/relay/relay-core.ts (and bucket-merge.ts) — a relay's
// logic: isolates' batches merged by second and colour with sums equal to
// theirs, each batch once; answers carry the relay's state (null before its
// first forward) and the shard count once known; when to forward (cold, the
// controller's interval, jittered, while it has isolates; early — within
// EARLY_FORWARD_WINDOW_MS of the regular forward — on an error rate above
// the policy's; never while one is in flight or during the retry back-off);
// acknowledged batches forgotten, failed ones resent; pushes kept only when
// newer; the alarm time (the early forward's while errors are worth it).
import { describe, expect, it } from "vitest";
import {
  DEFAULT_EARLY_ERROR_RATE,
  EARLY_FORWARD_MIN_GAP_MS,
  EARLY_FORWARD_WINDOW_MS,
  FORWARD_JITTER,
  FIRST_FORWARD_INTERVAL_MS,
  RELAY_EARLY_MIN_ERRORS,
  RELAY_RETRY_MS,
  RelayCore,
} from "../../../worker/src/relay/relay-core.js";
import type { ForwardAnswer } from "../../../worker/src/relay/relay-messages.js";
import { bucket, routingState, totals } from "../../helpers/telemetry-buckets.js";

/** A random source at the middle of its range: intervals keep their length (no jitter). */
const MIDDLE = () => 0.5;

function answer(over: Partial<ForwardAnswer> & { ackSeq: number }): ForwardAnswer {
  return { state: routingState("blue", 2), forwardIntervalMs: 2_000, earlyErrorRate: DEFAULT_EARLY_ERROR_RATE, shards: 1, ...over };
}

/** A relay that has had its first answer at `atMs` (interval 2 s). */
function warm(atMs = 0): RelayCore {
  const relay = new RelayCore("d/relay/LHR/0", "inc-1", "LHR", MIDDLE);
  relay.beginForward(atMs);
  relay.forwardSucceeded(answer({ ackSeq: 0 }));
  return relay;
}

describe("RelayCore.sync", () => {
  it("merges isolates' buckets by second and colour: the forward's sums equal theirs, a resent batch counted once", () => {
    const relay = warm();
    relay.sync({ isolateId: "a", batches: [{ seq: 1, buckets: [bucket(10, "blue", 40, 1), bucket(11, "blue", 20)] }] }, 100);
    relay.sync({ isolateId: "b", batches: [{ seq: 1, buckets: [bucket(10, "blue", 30), bucket(10, "green", 5, 5)] }] }, 200);
    // a's answer was lost: it resends batch 1 with batch 2.
    const again = relay.sync({ isolateId: "a", batches: [{ seq: 1, buckets: [bucket(10, "blue", 40, 1), bucket(11, "blue", 20)] }, { seq: 2, buckets: [bucket(11, "blue", 8)] }] }, 300);
    expect(again.ackSeq).toBe(2);
    expect(relay.takenSeq("a")).toBe(2);
    expect(relay.pendingRequests).toBe(40 + 20 + 30 + 5 + 8);
    const forward = relay.beginForward(2_000);
    const buckets = forward.batches.flatMap((b) => b.buckets);
    expect(buckets.map((b) => [b.second, b.color, b.counts.requests, b.counts.errors.http5xx])).toEqual([
      [10, "blue", 70, 1],
      [10, "green", 5, 5],
      [11, "blue", 28, 0],
    ]);
    expect(totals(buckets).requests).toBe(103);
    expect(forward).toMatchObject({ relay: "d/relay/LHR/0", incarnation: "inc-1", colo: "LHR", isolates: 2 });
  });

  it("answers null state and unknown shards before its first forward, then the controller's", () => {
    const relay = new RelayCore("r", "i", "LHR", MIDDLE);
    expect(relay.sync({ isolateId: "a", batches: [] }, 0)).toEqual({ state: null, ackSeq: 0, shards: null });
    relay.beginForward(0);
    relay.forwardSucceeded(answer({ ackSeq: 0, shards: 3, state: routingState("green", 5) }));
    expect(relay.sync({ isolateId: "a", batches: [] }, 10)).toEqual({ state: routingState("green", 5), ackSeq: 0, shards: 3 });
  });
});

describe("RelayCore.forwardReason", () => {
  it("cold: forwards at once without a state; never two at a time", () => {
    const relay = new RelayCore("r", "i", "LHR", MIDDLE);
    expect(relay.forwardReason(0)).toBe("cold");
    relay.beginForward(0);
    expect(relay.forwardReason(0)).toBeNull();
    expect(relay.nextCheckAtMs()).toBeNull();
  });

  it("cold and unanswered: retries on its alarm only while it holds outcomes, so an idle relay stops waking up", () => {
    const relay = new RelayCore("r", "i", "LHR", MIDDLE);
    relay.sync({ isolateId: "a", batches: [] }, 0);
    relay.beginForward(0);
    relay.forwardFailed(10);
    expect(relay.nextCheckAtMs()).toBeNull(); // nothing to send: the next isolate's call tries again
    relay.sync({ isolateId: "a", batches: [{ seq: 1, buckets: [bucket(0, "blue", 3)] }] }, 20);
    expect(relay.forwardReason(20)).toBeNull(); // backing off
    expect(relay.nextCheckAtMs()).toBe(10 + RELAY_RETRY_MS);
    expect(relay.forwardReason(10 + RELAY_RETRY_MS)).toBe("cold");
  });

  it("interval: once the controller's interval has passed, while it has isolates or outcomes; idle otherwise", () => {
    const relay = warm(0);
    expect(relay.forwardReason(5_000)).toBeNull(); // no isolate called: nothing to keep fresh
    expect(relay.nextCheckAtMs()).toBeNull();
    relay.sync({ isolateId: "a", batches: [] }, 100);
    expect(relay.forwardReason(1_999)).toBeNull();
    expect(relay.nextCheckAtMs()).toBe(2_000);
    expect(relay.forwardReason(2_000)).toBe("interval");
  });

  it("errors: early, within EARLY_FORWARD_WINDOW_MS of the regular forward, when active-colour errors pass the rate and RELAY_EARLY_MIN_ERRORS", () => {
    const relay = warm(0);
    const early = 2_000 - EARLY_FORWARD_WINDOW_MS;
    relay.sync({ isolateId: "a", batches: [{ seq: 1, buckets: [bucket(0, "blue", 100, RELAY_EARLY_MIN_ERRORS - 1)] }] }, 100);
    expect(relay.forwardReason(early)).toBeNull(); // 4 errors: too few
    relay.sync({ isolateId: "b", batches: [{ seq: 1, buckets: [bucket(0, "blue", 100, 30)] }] }, 200);
    expect(relay.forwardReason(early - 1)).toBeNull();
    expect(relay.forwardReason(early)).toBe("errors");
  });

  it("errors: the alarm is set for the early forward, so it comes even if no isolate calls again", () => {
    const relay = warm(0);
    relay.sync({ isolateId: "a", batches: [{ seq: 1, buckets: [bucket(0, "blue", 100, 2)] }] }, 100);
    expect(relay.nextCheckAtMs()).toBe(2_000); // 2 errors: not worth an early forward
    relay.sync({ isolateId: "b", batches: [{ seq: 1, buckets: [bucket(0, "blue", 100, 30)] }] }, 200);
    expect(relay.nextCheckAtMs()).toBe(2_000 - EARLY_FORWARD_WINDOW_MS);
    expect(relay.forwardReason(relay.nextCheckAtMs()!)).toBe("errors");
  });

  it("errors at the minimum interval: early after EARLY_FORWARD_MIN_GAP_MS", () => {
    const relay = new RelayCore("r", "i", "LHR", MIDDLE);
    relay.beginForward(0);
    relay.forwardSucceeded(answer({ ackSeq: 0, forwardIntervalMs: 1_000 }));
    relay.sync({ isolateId: "a", batches: [{ seq: 1, buckets: [bucket(0, "blue", 20, 10)] }] }, 100);
    expect(relay.forwardReason(EARLY_FORWARD_MIN_GAP_MS - 1)).toBeNull();
    expect(relay.forwardReason(EARLY_FORWARD_MIN_GAP_MS)).toBe("errors");
  });

  it("errors on the standby or below the rate do not forward early", () => {
    const relay = warm(0);
    relay.sync({ isolateId: "a", batches: [{ seq: 1, buckets: [bucket(0, "green", 10, 10), bucket(0, "blue", 1000, 20)] }] }, 100);
    // 20/1000 = 2% on blue (active) ≤ 5%; green's failures are failover attempts on the standby.
    expect(relay.forwardReason(1_999)).toBeNull();
  });
});

describe("RelayCore forward outcomes and pushes", () => {
  it("a failed forward keeps its batch for the next one after RELAY_RETRY_MS; an answer acknowledges it", () => {
    const relay = warm(0);
    relay.sync({ isolateId: "a", batches: [{ seq: 1, buckets: [bucket(1, "blue", 9)] }] }, 100);
    const first = relay.beginForward(2_000);
    relay.forwardFailed(2_050);
    expect(relay.forwardReason(2_050 + RELAY_RETRY_MS - 1)).toBeNull();
    relay.sync({ isolateId: "a", batches: [{ seq: 2, buckets: [bucket(3, "blue", 1)] }] }, 2_100);
    expect(relay.forwardReason(4_000)).toBe("interval");
    const second = relay.beginForward(4_000);
    expect(second.batches.map((b) => b.seq)).toEqual([first.batches[0]!.seq, first.batches[0]!.seq + 1]);
    // Had the controller taken the first batch (its answer lost), only the second would be pending.
    expect(relay.pendingRequestsAfter(first.batches[0]!.seq)).toBe(1);
    relay.forwardSucceeded(answer({ ackSeq: second.batches.at(-1)!.seq }));
    expect(relay.pendingRequests).toBe(0);
  });

  it("takes the controller's interval and early error rate from its answer", () => {
    const relay = new RelayCore("r", "i", "LHR", MIDDLE);
    relay.beginForward(0);
    relay.forwardSucceeded(answer({ ackSeq: 0, forwardIntervalMs: 4_000, earlyErrorRate: 0.5 }));
    relay.sync({ isolateId: "a", batches: [{ seq: 1, buckets: [bucket(0, "blue", 100, 40)] }] }, 100);
    expect(relay.forwardReason(FIRST_FORWARD_INTERVAL_MS)).toBeNull();
    expect(relay.forwardReason(3_999)).toBeNull(); // 40% ≤ 50%
    expect(relay.forwardReason(4_000)).toBe("interval");
  });

  it("jitters each interval by up to ±FORWARD_JITTER with its random source", () => {
    for (const [u, factor] of [[0, 1 - FORWARD_JITTER], [0.999999, 1 + FORWARD_JITTER]] as const) {
      const relay = new RelayCore("r", "i", "LHR", () => u);
      relay.beginForward(0);
      relay.forwardSucceeded(answer({ ackSeq: 0, forwardIntervalMs: 2_000 }));
      relay.sync({ isolateId: "a", batches: [] }, 10);
      expect(relay.nextCheckAtMs()).toBeCloseTo(2_000 * factor, 0);
    }
  });

  it("keeps a pushed state only when it is newer", () => {
    const relay = warm(0);
    expect(relay.push(routingState("green", 3))).toBe(true);
    expect(relay.push(routingState("blue", 2))).toBe(false);
    expect(relay.cache.state).toEqual(routingState("green", 3));
  });
});
