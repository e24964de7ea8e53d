// Covers the pure part of control/src/validate/load.ts: nearest-rank
// percentiles and how raw load outcomes become LoadStats (error rate,
// throughput, p50/p95/p99).
import { describe, expect, it } from "vitest";
import { percentile, summarizeLoad } from "../../../control/src/validate/load.js";

describe("percentile", () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
  it("takes the nearest rank", () => {
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(95);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });
  it("is null without values", () => expect(percentile([], 50)).toBeNull());
});

describe("summarizeLoad", () => {
  it("counts non-2xx answers and network errors as errors", () => {
    const s = summarizeLoad({ latenciesMs: [5, 1, 3], statusCounts: { "200": 2, "500": 1 }, networkErrors: 1, timeouts: 1, durationMs: 2000, cutShort: false });
    expect(s).toMatchObject({ total: 4, errors: 2, errorRate: 0.5, non2xx: 1, networkErrors: 1, timeouts: 1, throughput: 2, p50Ms: 3, p99Ms: 5, maxMs: 5 });
  });
  it("is all zero and null when nothing happened", () => {
    expect(summarizeLoad({ latenciesMs: [], statusCounts: {}, networkErrors: 0, timeouts: 0, durationMs: 0, cutShort: true })).toMatchObject({ total: 0, errorRate: 0, throughput: 0, p99Ms: null, cutShort: true });
  });
});
