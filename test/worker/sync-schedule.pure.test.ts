// Covers worker/src/sync-schedule.ts — an isolate's side of the relayed
// protocol: it syncs when today's rule (syncReason) says so, never two at a
// time nor during the back-off after a failure; each sync takes the buffer
// into the next numbered batch and resends unacknowledged ones, to the same
// shard while any is unacknowledged; the relay's answer acknowledges batches,
// brings a newer state (a null state changes nothing) and the shard count.
import { describe, expect, it } from "vitest";
import { RoutingCache } from "../../worker/src/routing-state.js";
import { shardOf } from "../../worker/src/relay/relay-name.js";
import { RELAY_SYNC_BACKOFF_MS, SyncSchedule } from "../../worker/src/sync-schedule.js";
import { EARLY_FLUSH_ERRORS, EARLY_FLUSH_MIN_GAP_MS, TelemetryBuffer } from "../../worker/src/telemetry.js";
import { routingState } from "../helpers/telemetry-buckets.js";

const CADENCE = { flagTtlMs: 1_000, reportIntervalMs: 1_000 };

function served(buffer: TelemetryBuffer, n: number, errors: number, nowMs: number): void {
  for (let i = 0; i < n; i++) buffer.record({ color: "blue", latencyMs: 20, error: i < errors ? "http5xx" : null }, nowMs);
  buffer.noteServed(n);
}

describe("SyncSchedule.due", () => {
  it("follows syncReason: refresh when the state is FLAG_TTL_MS old, early once EARLY_FLUSH_ERRORS failures are pending", () => {
    const schedule = new SyncSchedule("iso");
    const buffer = new TelemetryBuffer();
    expect(schedule.due(0, CADENCE, buffer)).toBe("refresh"); // never synced
    schedule.begin(0, buffer);
    schedule.succeeded({ state: routingState("blue", 1), ackSeq: 0, shards: 1 }, new RoutingCache());
    expect(schedule.due(500, CADENCE, buffer)).toBeNull();
    served(buffer, EARLY_FLUSH_ERRORS, EARLY_FLUSH_ERRORS, 500);
    expect(schedule.due(Math.max(500, EARLY_FLUSH_MIN_GAP_MS), CADENCE, buffer)).toBe("errors");
    expect(schedule.due(1_000, CADENCE, new TelemetryBuffer())).toBe("refresh");
  });

  it("is never due while a sync is in flight or during the back-off after a failure", () => {
    const schedule = new SyncSchedule("iso");
    const buffer = new TelemetryBuffer();
    schedule.begin(0, buffer);
    expect(schedule.inFlight).toBe(true);
    expect(schedule.due(5_000, CADENCE, buffer)).toBeNull();
    schedule.failed(5_000);
    expect(schedule.backingOff(5_000)).toBe(true);
    expect(schedule.due(5_000 + RELAY_SYNC_BACKOFF_MS - 1, CADENCE, buffer)).toBeNull();
    expect(schedule.due(5_000 + RELAY_SYNC_BACKOFF_MS, CADENCE, buffer)).toBe("refresh");
  });
});

describe("SyncSchedule batches and shards", () => {
  it("numbers batches, resends the unacknowledged one after a failure, and forgets it once acknowledged", () => {
    const schedule = new SyncSchedule("iso");
    const buffer = new TelemetryBuffer();
    served(buffer, 10, 2, 0);
    const first = schedule.begin(0, buffer);
    expect(buffer.pending).toBe(false);
    expect(first.request.batches.map((b) => b.seq)).toEqual([1]);
    expect(schedule.unackedRequests).toBe(10);
    schedule.failed(50);
    served(buffer, 5, 0, 1_100);
    const second = schedule.begin(1_100, buffer);
    expect(second.request.batches.map((b) => b.seq)).toEqual([1, 2]);
    expect(second.request.batches[0]).toEqual(first.request.batches[0]);
    expect(schedule.unackedRequestsAfter(1)).toBe(5);
    expect(schedule.unackedShard).toBe(0);
    schedule.succeeded({ state: null, ackSeq: 2, shards: null }, new RoutingCache());
    expect(schedule.unackedBatches).toBe(0);
    expect(schedule.unackedRequests).toBe(0);
    expect(schedule.unackedShard).toBeNull();
  });

  it("learns the shard count from answers and sticks to the shard of unacknowledged batches", () => {
    // An id whose shard differs between 1 and 4 shards.
    const id = Array.from({ length: 100 }, (_, i) => `iso-${i}`).find((x) => shardOf(x, 4) !== 0)!;
    const schedule = new SyncSchedule(id);
    const buffer = new TelemetryBuffer();
    const cache = new RoutingCache();
    expect(schedule.begin(0, buffer).shard).toBe(0);
    schedule.succeeded({ state: routingState("blue", 1), ackSeq: 0, shards: 4 }, cache);
    expect(schedule.shards).toBe(4);
    served(buffer, 3, 0, 1_000);
    const sent = schedule.begin(1_000, buffer);
    expect(sent.shard).toBe(shardOf(id, 4));
    schedule.failed(1_010);
    // Meanwhile the location went back to one relay; the unacknowledged batch still goes where it went.
    schedule.succeeded({ state: null, ackSeq: 0, shards: 1 }, cache);
    expect(schedule.begin(2_100, buffer).shard).toBe(shardOf(id, 4));
    schedule.succeeded({ state: null, ackSeq: 1, shards: null }, cache);
    expect(schedule.begin(3_200, buffer).shard).toBe(0);
  });

  it("keeps the newest state: an older or null state from the relay changes nothing", () => {
    const schedule = new SyncSchedule("iso");
    const cache = new RoutingCache();
    cache.accept(routingState("green", 5), "kv");
    schedule.begin(0, new TelemetryBuffer());
    schedule.succeeded({ state: routingState("blue", 4), ackSeq: 0, shards: 1 }, cache);
    expect(cache.state).toEqual(routingState("green", 5));
    schedule.begin(1_000, new TelemetryBuffer());
    schedule.succeeded({ state: null, ackSeq: 0, shards: null }, cache);
    expect(cache.state).toEqual(routingState("green", 5));
    expect(schedule.shards).toBe(1);
  });

  it("waits for a trailing flush as telemetry.ts trailingWaitMs does, after the back-off too", () => {
    const schedule = new SyncSchedule("iso");
    schedule.begin(0, new TelemetryBuffer());
    schedule.failed(100);
    expect(schedule.trailingWaitMs(200, CADENCE, 20_000)).toBe(100 + RELAY_SYNC_BACKOFF_MS - 200);
    expect(schedule.trailingWaitMs(200, CADENCE, 50)).toBe(50);
  });
});
