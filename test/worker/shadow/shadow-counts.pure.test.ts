// Covers the shadow counts' path to the controller, pure: the telemetry
// buffer keeps them on the standby's bucket without touching its requests,
// errors or the early-flush counters; bucket-merge.ts addCounts (the relays'
// one merge function) adds them exactly, in any order; the controller's
// session (shadow-session.ts) folds only its standby's buckets from its start
// to 5 s after its end, with the agreement per 10 s, and a flip ends it.
import { describe, expect, it } from "vitest";
import { emptyShadowCounts, type SecondBucket } from "../../../contract/telemetry.js";
import { BucketSums } from "../../../worker/src/relay/bucket-merge.js";
import { dueEnding, endSession, foldReport, startSession, withShadow } from "../../../worker/src/controller/shadow-session.js";
import { initialRoutingState } from "../../../worker/src/routing-state.js";
import { TelemetryBuffer } from "../../../worker/src/telemetry.js";

const T0 = 1_764_150_000_000;

function shadowBucket(second: number, color: "blue" | "green", sent: number, agreed: number): SecondBucket {
  const buffer = new TelemetryBuffer();
  const c = buffer.shadowCounts(color, second * 1000);
  c.sent = sent;
  c.compared = sent;
  c.agreed = agreed;
  c.confidencePairs = sent;
  c.confidenceDeltaMicros = sent * 12_345;
  c.standbyLatency[3] = sent;
  return buffer.take().buckets[0]!;
}

describe("shadow counts in the telemetry", () => {
  it("ride on the standby's bucket without counting a request, an error or a served request", () => {
    const buffer = new TelemetryBuffer();
    const c = buffer.shadowCounts("green", T0);
    c.sent += 1;
    c.errors.timeout += 1;
    expect(buffer.shadowCounts("green", T0 + 500)).toBe(c);
    expect(buffer.errors).toBe(0);
    expect(buffer.served).toBe(0);
    const [bucket] = buffer.take().buckets;
    expect(bucket).toMatchObject({ second: T0 / 1000, color: "green", counts: { requests: 0, errors: { http5xx: 0, timeout: 0, connect: 0 } } });
    expect(bucket!.counts.shadow).toMatchObject({ sent: 1, errors: { timeout: 1 } });
  });

  it("are merged exactly by a relay's BucketSums, in any order", () => {
    const parts = [shadowBucket(100, "green", 3, 2), shadowBucket(100, "green", 5, 5), shadowBucket(100, "green", 7, 1)];
    const sums = (order: SecondBucket[]) => {
      const s = new BucketSums();
      for (const b of order) s.add(structuredClone(b));
      return s.take();
    };
    const merged = sums(parts);
    expect(sums([...parts].reverse())).toEqual(merged);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.counts.requests).toBe(0);
    expect(merged[0]!.counts.shadow).toMatchObject({ sent: 15, compared: 15, agreed: 8, confidencePairs: 15, confidenceDeltaMicros: 15 * 12_345 });
    expect(merged[0]!.counts.shadow!.standbyLatency[3]).toBe(15);
  });
});

describe("the controller's shadow session", () => {
  const state = initialRoutingState(T0);
  const session = startSession(state, { sample: 1, seconds: 60, reason: "r", actor: "a", nowMs: T0 });

  it("folds only the standby's buckets from its start to 5 s after its end, per 10 s", () => {
    const s = T0 / 1000;
    const next = foldReport(session, [
      shadowBucket(s - 1, "green", 100, 100), // before the start
      shadowBucket(s + 3, "green", 10, 9),
      shadowBucket(s + 12, "green", 20, 10),
      shadowBucket(s + 12, "blue", 50, 50), // the active colour's: not this session's
      shadowBucket(s + 64, "green", 30, 30), // after the end, within the 5 s for late mirrors
      shadowBucket(s + 70, "green", 40, 40), // too late
      { second: "x", color: "green", counts: { shadow: { sent: -1 } } },
    ])!;
    expect(next.counts).toMatchObject({ sent: 60, compared: 60, agreed: 49 });
    expect(next.series).toEqual([
      { second: s, compared: 10, agreed: 9 },
      { second: s + 10, compared: 20, agreed: 10 },
      { second: s + 60, compared: 30, agreed: 30 },
    ]);
    expect(session.counts).toEqual(emptyShadowCounts());
    expect(foldReport(session, [shadowBucket(s, "blue", 1, 1)])).toBeNull();
  });

  it("puts {sample, endsAt, epoch} into the routing state, and ends by time or by a new epoch", () => {
    const on = withShadow(state, session, T0);
    expect(on.shadow).toEqual({ sample: 1, endsAt: T0 + 60_000, epoch: 1 });
    expect(on.updatedAt).toBeGreaterThan(state.updatedAt);
    expect(withShadow(on, null, T0 + 1).shadow).toBeUndefined();
    expect(dueEnding(session, on, T0 + 59_999)).toBeNull();
    expect(dueEnding(session, on, T0 + 60_000)).toBe("expired");
    expect(dueEnding(session, { ...on, epoch: 2 }, T0 + 1_000)).toBe("epoch_changed");
    const ended = endSession(session, "stopped", T0 + 5_000);
    expect(ended).toMatchObject({ endedAt: T0 + 5_000, endedBy: "stopped" });
    expect(dueEnding(ended, on, T0 + 90_000)).toBeNull();
  });
});
