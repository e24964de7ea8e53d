// Covers the pure half of worker/src/telemetry.ts: the sync rule
// (syncReason: refresh, report, early error flush), the trailing flush's wait
// (trailingWaitMs) and the TelemetryBuffer (its seconds across a take, a
// restore and a clock that steps back; the label slots: at most
// LABEL_MAX_PER_SECOND answers read per second and colour, anew each second
// and across a take). The traffic through a router is
// in telemetry.test.ts (workerd).
import { describe, expect, it } from "vitest";
import { emptyCounts, latencyBucket } from "../../contract/telemetry.js";
import { EARLY_FLUSH_ERRORS, EARLY_FLUSH_MIN_GAP_MS, EARLY_FLUSH_SERVED, MAX_BUFFER_AGE_MS, TelemetryBuffer, syncReason, trailingWaitMs } from "../../worker/src/telemetry.js";

describe("syncReason", () => {
  const clock = { nowMs: 10_000, lastSyncAtMs: 9_500, flagTtlMs: 1_000, reportIntervalMs: 1_000 };

  it("refreshes once the state is older than FLAG_TTL_MS", () => {
    expect(syncReason({ ...clock, lastSyncAtMs: 9_000 }, new TelemetryBuffer())).toBe("refresh");
    expect(syncReason(clock, new TelemetryBuffer())).toBeNull();
  });

  it("reports pending outcomes at most every REPORT_INTERVAL_MS", () => {
    const buffer = new TelemetryBuffer();
    buffer.record({ color: "blue", latencyMs: 3, error: null }, clock.nowMs);
    expect(syncReason(clock, buffer)).toBeNull();
    expect(syncReason({ ...clock, flagTtlMs: 60_000, lastSyncAtMs: 9_000 }, buffer)).toBe("report");
  });

  it(`reports errors early, once ${EARLY_FLUSH_SERVED} requests were served since the last sync`, () => {
    const buffer = new TelemetryBuffer();
    buffer.record({ color: "green", latencyMs: 3, error: "http5xx" }, clock.nowMs);
    for (let i = 0; i < EARLY_FLUSH_SERVED - 1; i++) buffer.noteServed();
    expect(syncReason(clock, buffer)).toBeNull();
    buffer.noteServed();
    expect(syncReason(clock, buffer)).toBe("errors");
  });

  it(`reports early once ${EARLY_FLUSH_ERRORS} failures are pending, but not within ${EARLY_FLUSH_MIN_GAP_MS} ms of the last sync`, () => {
    const buffer = new TelemetryBuffer();
    const justSynced = { ...clock, lastSyncAtMs: clock.nowMs - EARLY_FLUSH_MIN_GAP_MS + 1 };
    const gapPassed = { ...clock, lastSyncAtMs: clock.nowMs - EARLY_FLUSH_MIN_GAP_MS };
    for (let i = 0; i < EARLY_FLUSH_ERRORS - 1; i++) buffer.record({ color: "green", latencyMs: 3, error: "http5xx" }, clock.nowMs);
    expect(syncReason(gapPassed, buffer)).toBeNull();
    buffer.record({ color: "green", latencyMs: 3, error: "connect" }, clock.nowMs);
    expect(syncReason(justSynced, buffer)).toBeNull();
    expect(syncReason(gapPassed, buffer)).toBe("errors");
  });
});

describe("trailingWaitMs", () => {
  const clock = { nowMs: 10_000, lastSyncAtMs: 9_700, flagTtlMs: 1_000, reportIntervalMs: 1_000, retryAtMs: 0 };

  it("waits until the next request would have synced (report or refresh due), not longer", () => {
    expect(trailingWaitMs(clock, 20_000)).toBe(700);
    expect(trailingWaitMs({ ...clock, lastSyncAtMs: 8_000 }, 20_000)).toBe(0);
    expect(trailingWaitMs({ ...clock, reportIntervalMs: 0 }, 20_000)).toBe(0);
    expect(trailingWaitMs({ ...clock, reportIntervalMs: 60_000, flagTtlMs: 500 }, 20_000)).toBe(200);
  });

  it("respects the retry back-off after a failed sync, and the cap", () => {
    expect(trailingWaitMs({ ...clock, lastSyncAtMs: 0, retryAtMs: 10_400 }, 20_000)).toBe(400);
    expect(trailingWaitMs({ ...clock, reportIntervalMs: 3_600_000, flagTtlMs: 3_600_000 }, 20_000)).toBe(20_000);
  });
});

describe("TelemetryBuffer.takeLabelSlot", () => {
  it("gives `max` slots per second and colour, anew each second, and keeps the count across a take", () => {
    const buffer = new TelemetryBuffer();
    const taken = (color: "blue" | "green", nowMs: number, n: number) => Array.from({ length: n }, () => buffer.takeLabelSlot(color, nowMs, 2));
    expect(taken("blue", 5_000, 3)).toEqual([true, true, false]);
    expect(taken("green", 5_500, 3)).toEqual([true, true, false]);
    buffer.take();
    expect(taken("blue", 5_999, 1)).toEqual([false]);
    expect(taken("blue", 6_000, 3)).toEqual([true, true, false]);
  });
});

describe("TelemetryBuffer", () => {
  it("counts per second and colour: requests, errors by class, latency histogram", () => {
    const buffer = new TelemetryBuffer();
    buffer.record({ color: "green", latencyMs: 7, error: null }, 5_100);
    buffer.record({ color: "green", latencyMs: 40_000, error: "timeout" }, 5_900);
    buffer.record({ color: "blue", latencyMs: 1, error: null }, 6_000);
    const batch = buffer.take();
    const green = emptyCounts();
    green.requests = 2;
    green.errors.timeout = 1;
    green.latency[latencyBucket(7)] = 1;
    green.latency[latencyBucket(40_000)] = 1;
    expect(batch.buckets).toContainEqual({ second: 5, color: "green", counts: green });
    expect(batch.buckets).toHaveLength(2);
    expect(batch.errors).toBe(1);
    expect(buffer.pending).toBe(false);
  });

  it("keeps counting into the right second across a take, a restore and a clock that steps back", () => {
    const buffer = new TelemetryBuffer();
    buffer.record({ color: "blue", latencyMs: 1, error: null }, 7_100);
    const first = buffer.take();
    buffer.record({ color: "blue", latencyMs: 1, error: null }, 7_200);
    buffer.restore(first, 7_300);
    buffer.record({ color: "blue", latencyMs: 1, error: null }, 6_999);
    buffer.record({ color: "blue", latencyMs: 1, error: null }, 7_999);
    buffer.record({ color: "blue", latencyMs: 1, error: null }, 8_000);
    const requests = Object.fromEntries(buffer.take().buckets.map((b) => [b.second, b.counts.requests]));
    expect(requests).toEqual({ 6: 1, 7: 3, 8: 1 });
  });

  it("gives a failed batch back, minus seconds older than MAX_BUFFER_AGE_MS", () => {
    const buffer = new TelemetryBuffer();
    buffer.record({ color: "blue", latencyMs: 1, error: "connect" }, 1_000);
    buffer.record({ color: "blue", latencyMs: 1, error: null }, MAX_BUFFER_AGE_MS + 5_000);
    buffer.noteServed();
    const batch = buffer.take();
    buffer.restore(batch, MAX_BUFFER_AGE_MS + 5_000);
    const again = buffer.take();
    expect(again.buckets.map((b) => b.second)).toEqual([Math.floor((MAX_BUFFER_AGE_MS + 5_000) / 1000)]);
    expect(again.served).toBe(1);
  });
});
