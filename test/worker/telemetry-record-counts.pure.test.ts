// Covers TelemetryBuffer.recordCounts in worker/src/telemetry.ts — the bulk
// form the scale simulation feeds: it leaves the buffer exactly as the same
// outcomes one record() at a time would (buckets, errors, latency, the
// early-flush counters), counts nothing for zero requests, and noteServed(n)
// equals n noteServed() calls.
import { describe, expect, it } from "vitest";
import { TelemetryBuffer } from "../../worker/src/telemetry.js";
import { emptyCounts, latencyBucket } from "../../contract/telemetry.js";

describe("TelemetryBuffer.recordCounts", () => {
  it("equals one record() per attempt", () => {
    const one = new TelemetryBuffer();
    const bulk = new TelemetryBuffer();
    const outcomes = [
      { latencyMs: 3, error: null },
      { latencyMs: 40, error: "http5xx" },
      { latencyMs: 40, error: "timeout" },
      { latencyMs: 700, error: null },
      { latencyMs: 40, error: "connect" },
    ] as const;
    const counts = emptyCounts();
    for (const o of outcomes) {
      one.record({ color: "green", latencyMs: o.latencyMs, error: o.error }, 12_345);
      counts.requests += 1;
      counts.latency[latencyBucket(o.latencyMs)]! += 1;
      if (o.error !== null) counts.errors[o.error] += 1;
    }
    bulk.recordCounts("green", counts, 12_999);
    one.noteServed();
    one.noteServed();
    bulk.noteServed(2);
    expect({ errors: bulk.errors, served: bulk.served }).toEqual({ errors: 3, served: 2 });
    expect(bulk.take()).toEqual(one.take());
  });

  it("counts nothing for zero requests", () => {
    const buffer = new TelemetryBuffer();
    buffer.recordCounts("blue", emptyCounts(), 0);
    expect(buffer.pending).toBe(false);
  });
});
