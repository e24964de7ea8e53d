// Covers worker/src/controller/relay-registry.ts — the controller's side of
// the relayed protocol: each relay instance's batches taken once (a restarted
// relay, a new incarnation, starts again at 1); the forward interval that
// keeps its call rate near TARGET_FORWARDS_PER_SECOND, within its bounds; the
// push list (active relays only); shards per location from the isolates its
// relays report, up at once, down only well below, at most every
// RESHARD_MIN_INTERVAL_MS; the interval's floor (REPORT_INTERVAL_MS); and
// its stored form: a registry read back from toJSON() still takes no batch
// twice and keeps its push list, shards and interval.
import { describe, expect, it } from "vitest";
import {
  ACTIVE_MIN_MS,
  MAX_FORWARD_INTERVAL_MS,
  MAX_RELAY_SHARDS,
  MIN_FORWARD_INTERVAL_MS,
  RESHARD_MIN_INTERVAL_MS,
  RelayRegistry,
  RelayRegistryJSONSchema,
  TARGET_FORWARDS_PER_SECOND,
  TARGET_ISOLATES_PER_RELAY,
  forwardIntervalFor,
  nextShards,
} from "../../../worker/src/controller/relay-registry.js";
import type { RelayForward } from "../../../worker/src/relay/relay-messages.js";
import { bucket } from "../../helpers/telemetry-buckets.js";

function forward(relay: string, over: Partial<RelayForward> = {}): RelayForward {
  return { relay, incarnation: "i1", colo: "LHR", batches: [], isolates: 10, ...over };
}

describe("RelayRegistry.accept", () => {
  it("takes each batch of a relay instance once; a restarted instance (new incarnation) is taken from 1 again", () => {
    const registry = new RelayRegistry();
    const batches = [{ seq: 1, buckets: [bucket(1, "blue", 50)] }];
    expect(registry.accept(forward("r0", { batches }), 0, 0.05).fresh).toHaveLength(1);
    const resent = registry.accept(forward("r0", { batches }), 100, 0.05);
    expect(resent.fresh).toHaveLength(0);
    expect(resent.answer.ackSeq).toBe(1);
    expect(registry.takenSeq("r0", "i1")).toBe(1);
    expect(registry.accept(forward("r0", { incarnation: "i2", batches }), 200, 0.05).fresh).toHaveLength(1);
  });

  it("answers the schedule: interval, the policy's early error rate, the location's shards", () => {
    const registry = new RelayRegistry();
    const { answer } = registry.accept(forward("r0"), 0, 0.07);
    expect(answer).toEqual({ ackSeq: 0, forwardIntervalMs: MIN_FORWARD_INTERVAL_MS, earlyErrorRate: 0.07, shards: 1 });
  });

  it("stretches the interval as relays grow so the call rate stays near the target", () => {
    const registry = new RelayRegistry();
    for (let i = 0; i < 300; i++) registry.accept(forward(`r${i}`, { colo: `C${i}` }), i, 0.05);
    expect(registry.activeRelays(300)).toBe(300);
    expect(registry.forwardIntervalMs).toBe(forwardIntervalFor(300));
    expect((300 * 1000) / registry.forwardIntervalMs).toBeCloseTo(TARGET_FORWARDS_PER_SECOND, 0);
  });

  it("pushes to relays heard within the active horizon only", () => {
    const registry = new RelayRegistry();
    registry.accept(forward("old"), 0, 0.05);
    registry.accept(forward("new"), ACTIVE_MIN_MS, 0.05);
    expect(registry.pushTargets(ACTIVE_MIN_MS + 1)).toEqual(["new"]);
  });

  it("sizes a location's shards from its relays' isolates, at most every RESHARD_MIN_INTERVAL_MS", () => {
    const registry = new RelayRegistry();
    expect(registry.accept(forward("LHR/0", { isolates: 3 * TARGET_ISOLATES_PER_RELAY }), 0, 0.05).answer.shards).toBe(3);
    // Isolates moved to shards 1 and 2 are briefly counted twice: no change within the interval.
    expect(registry.accept(forward("LHR/1", { isolates: 2 * TARGET_ISOLATES_PER_RELAY }), 1_000, 0.05).answer.shards).toBe(3);
    expect(registry.shards("LHR")).toBe(3);
    expect(registry.shards("CDG")).toBe(1);
    const later = registry.accept(forward("LHR/0", { isolates: TARGET_ISOLATES_PER_RELAY }), RESHARD_MIN_INTERVAL_MS + 1, 0.05);
    // LHR/1 is no longer active by then: only LHR/0's isolates count.
    expect(later.answer.shards).toBe(1);
  });
});

describe("RelayRegistry stored and read back", () => {
  it("takes no batch twice, and keeps push targets, shards and interval", () => {
    const registry = new RelayRegistry();
    const batches = [{ seq: 1, buckets: [bucket(1, "blue", 50)] }, { seq: 2, buckets: [bucket(2, "blue", 5)] }];
    registry.accept(forward("LHR/0", { batches, isolates: 2 * TARGET_ISOLATES_PER_RELAY }), 0, 0.05);
    registry.accept(forward("CDG/0", { colo: "CDG" }), 10, 0.05);
    const json = JSON.parse(JSON.stringify(registry.toJSON())) as unknown;
    const back = RelayRegistry.fromJSON(RelayRegistryJSONSchema.parse(json));
    expect(back.takenSeq("LHR/0", "i1")).toBe(2);
    const resent = back.accept(forward("LHR/0", { batches: [...batches, { seq: 3, buckets: [bucket(3, "blue", 1)] }], isolates: 2 * TARGET_ISOLATES_PER_RELAY }), 20, 0.05);
    expect(resent.fresh.map((b) => b.seq)).toEqual([3]);
    expect(back.pushTargets(30).sort()).toEqual(["CDG/0", "LHR/0"]);
    expect(back.shards("LHR")).toBe(2);
    expect(back.forwardIntervalMs).toBe(registry.forwardIntervalMs);
  });

  it("an empty registry stores as an empty one", () => {
    expect(RelayRegistryJSONSchema.parse(new RelayRegistry().toJSON())).toEqual({ version: 1, intervalMs: MIN_FORWARD_INTERVAL_MS, relays: [], shards: [], seqs: [] });
  });
});

describe("forwardIntervalFor and nextShards", () => {
  it("keeps the interval within its bounds", () => {
    expect(forwardIntervalFor(0)).toBe(MIN_FORWARD_INTERVAL_MS);
    expect(forwardIntervalFor(250)).toBe(2_500);
    expect(forwardIntervalFor(1_000_000)).toBe(MAX_FORWARD_INTERVAL_MS);
  });

  it("never goes below the floor (REPORT_INTERVAL_MS), and stretches to it past MAX_FORWARD_INTERVAL_MS", () => {
    expect(forwardIntervalFor(3, 0)).toBe(30); // the workerd tests' REPORT_INTERVAL_MS 0: as soon as the rate allows
    expect(forwardIntervalFor(3, 5_000)).toBe(5_000);
    expect(forwardIntervalFor(1_000_000, 600_000)).toBe(600_000);
    expect(forwardIntervalFor(250, MIN_FORWARD_INTERVAL_MS)).toBe(forwardIntervalFor(250));
    const registry = new RelayRegistry();
    expect(registry.accept(forward("r0"), 0, 0.05, 600_000).answer.forwardIntervalMs).toBe(600_000);
  });

  it("raises shards at once, lowers them only well below, within 1…MAX_RELAY_SHARDS", () => {
    expect(nextShards(1, TARGET_ISOLATES_PER_RELAY)).toBe(1);
    expect(nextShards(1, TARGET_ISOLATES_PER_RELAY + 1)).toBe(2);
    expect(nextShards(4, 3 * TARGET_ISOLATES_PER_RELAY)).toBe(4); // 3 would do, but not well below
    expect(nextShards(4, 2 * TARGET_ISOLATES_PER_RELAY)).toBe(2);
    expect(nextShards(1, 1e9)).toBe(MAX_RELAY_SHARDS);
    expect(nextShards(3, 0)).toBe(1);
  });
});
