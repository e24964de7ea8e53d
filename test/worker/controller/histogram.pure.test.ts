// Covers worker/src/controller/histogram.ts: merging histograms and
// percentiles by linear interpolation within a bucket, empty → null,
// overflow → the last finite bound; counting observations above a threshold.
import { describe, expect, it } from "vitest";
import { LATENCY_BUCKETS_MS, latencyBucket } from "../../../contract/telemetry.js";
import {
  HISTOGRAM_LENGTH,
  OVERFLOW_BOUND_MS,
  emptyHistogram,
  histogramCount,
  mergeHistograms,
  countAboveMs,
  percentileMs,
} from "../../../worker/src/controller/histogram.js";

function histogramOf(latenciesMs: number[]): number[] {
  const h = emptyHistogram();
  for (const ms of latenciesMs) h[latencyBucket(ms)]!++;
  return h;
}

describe("histogram", () => {
  it("merges bucket by bucket without touching its inputs", () => {
    const a = histogramOf([1, 30, 30]);
    const b = histogramOf([30, 40000]);
    const merged = mergeHistograms([a, b]);
    expect(merged[latencyBucket(30)]).toBe(3);
    expect(merged[HISTOGRAM_LENGTH - 1]).toBe(1);
    expect(histogramCount(merged)).toBe(5);
    expect(histogramCount(a)).toBe(3);
  });

  it("rejects a histogram of the wrong length", () => {
    expect(() => mergeHistograms([[1, 2, 3]])).toThrow(RangeError);
    expect(() => percentileMs([1, 2, 3], 0.5)).toThrow(RangeError);
  });

  it("has no percentile when empty", () => {
    expect(percentileMs(emptyHistogram(), 0.99)).toBeNull();
  });

  it("interpolates linearly inside the bucket that holds the rank", () => {
    // 100 observations all in (50, 75]: p50 sits halfway, p99 at 99% of the way.
    const h = histogramOf(new Array<number>(100).fill(60));
    expect(percentileMs(h, 0.5)).toBeCloseTo(50 + 25 * 0.5);
    expect(percentileMs(h, 0.99)).toBeCloseTo(50 + 25 * 0.99);
  });

  it("finds the bucket by cumulative count", () => {
    // 98 fast requests (≤ 2 ms) and 2 slow ones in (400, 600]: p50 is fast, p99 is in the slow bucket.
    const h = histogramOf([...new Array<number>(98).fill(1), 500, 500]);
    expect(percentileMs(h, 0.5)!).toBeLessThanOrEqual(2);
    const p99 = percentileMs(h, 0.99)!;
    expect(p99).toBeGreaterThan(400);
    expect(p99).toBeLessThanOrEqual(600);
  });

  it("starts the first bucket at 0 ms", () => {
    expect(percentileMs(histogramOf([1, 1]), 0.5)).toBeCloseTo(LATENCY_BUCKETS_MS[0] / 2);
  });

  it("reports the last finite bound for a rank in the overflow bucket", () => {
    const h = histogramOf([...new Array<number>(90).fill(10), ...new Array<number>(10).fill(60_000)]);
    expect(percentileMs(h, 0.99)).toBe(OVERFLOW_BOUND_MS);
    expect(OVERFLOW_BOUND_MS).toBe(LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1]);
  });

  it("rejects a quantile outside (0, 1]", () => {
    expect(() => percentileMs(histogramOf([1]), 0)).toThrow(RangeError);
    expect(() => percentileMs(histogramOf([1]), 1.5)).toThrow(RangeError);
  });
});

describe("countAboveMs", () => {
  it("counts whole buckets above the threshold and the interpolated part of the one it falls in, rounded down", () => {
    // 10 at ≤ 20 ms, 10 in (250, 400], 4 in the overflow bucket.
    const h = histogramOf([...new Array<number>(10).fill(15), ...new Array<number>(10).fill(300), 40_000, 40_000, 40_000, 40_000]);
    expect(countAboveMs(h, 250)).toBe(14);
    // 300 ms is a third of the way into (250, 400]: two thirds of its 10 → 6.
    expect(countAboveMs(h, 300)).toBe(10);
    expect(countAboveMs(h, 400)).toBe(4);
    expect(countAboveMs(h, 0)).toBe(24);
    expect(countAboveMs(emptyHistogram(), 10)).toBe(0);
  });
});
