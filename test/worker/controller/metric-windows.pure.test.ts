// Covers worker/src/controller/metric-windows.ts: summing a window per
// colour (requests, errors by class, p50/p99), buckets expiring, late and
// future-dated buckets, malformed buckets, cutting a window at the flip,
// per-second totals for the recent-suffix rule,
// the JSON round trip for storage, and bounded size.
import { describe, expect, it } from "vitest";
import { MetricWindows } from "../../../worker/src/controller/metric-windows.js";
import { bucket } from "./builders.js";

const T = 1_700_000_000;

describe("MetricWindows", () => {
  it("sums requests, errors by class and latency over the window, per colour", () => {
    const w = new MetricWindows(60);
    w.add(bucket(T, "green", { requests: 10, errors: { http5xx: 1, timeout: 2 }, latencyMs: 30 }), T);
    w.add(bucket(T + 1, "green", { requests: 10, errors: { connect: 1 }, latencyMs: 30 }), T + 1);
    w.add(bucket(T + 1, "blue", { requests: 99, errors: 9 }), T + 1);
    const m = w.summarize("green", 10, T + 1);
    expect(m).toMatchObject({ color: "green", seconds: 10, fromSecond: T - 8, toSecond: T + 1, requests: 20 });
    expect(m.errors).toEqual({ total: 4, http5xx: 1, timeout: 2, connect: 1 });
    expect(m.errorRate).toBeCloseTo(0.2);
    expect(m.p50Ms).toBeGreaterThan(20);
    expect(m.p99Ms).toBeLessThanOrEqual(35);
  });

  it("merges reports of the same second from several isolates", () => {
    const w = new MetricWindows(60);
    w.addReport({ isolateId: "a", buckets: [bucket(T, "green", { requests: 5, errors: 1 })] }, T);
    w.addReport({ isolateId: "b", buckets: [bucket(T, "green", { requests: 7, errors: 2 })] }, T);
    expect(w.summarize("green", 1, T)).toMatchObject({ requests: 12, errors: { total: 3 } });
  });

  it("has no rate and no percentiles with no data", () => {
    const m = new MetricWindows(60).summarize("blue", 60, T);
    expect(m).toMatchObject({ requests: 0, errorRate: null, p50Ms: null, p99Ms: null });
  });

  it("lets buckets expire out of the window and out of the ring", () => {
    const w = new MetricWindows(60);
    w.add(bucket(T, "green", { requests: 50, errors: 50 }), T);
    expect(w.summarize("green", 10, T + 9).requests).toBe(50);
    expect(w.summarize("green", 10, T + 10).requests).toBe(0);
    expect(w.summarize("green", 60, T + 59).requests).toBe(50);
    // The slot is reused 60 s later: the new second replaces the old one instead of adding to it.
    w.add(bucket(T + 60, "green", { requests: 3 }), T + 60);
    expect(w.summarize("green", 60, T + 60)).toMatchObject({ requests: 3, errors: { total: 0 } });
  });

  it("counts a late bucket still inside the ring and drops one older than the ring", () => {
    const w = new MetricWindows(60);
    expect(w.add(bucket(T - 30, "green", { requests: 4 }), T)).toBe("added");
    expect(w.add(bucket(T - 60, "green", { requests: 8 }), T)).toBe("late");
    expect(w.summarize("green", 60, T).requests).toBe(4);
  });

  it("clamps a future-dated bucket (clock skew) to now", () => {
    const w = new MetricWindows(60);
    expect(w.add(bucket(T + 5, "green", { requests: 6, errors: 6 }), T)).toBe("clamped");
    expect(w.summarize("green", 1, T)).toMatchObject({ requests: 6, fromSecond: T, toSecond: T });
  });

  it("rejects malformed buckets without counting them", () => {
    const w = new MetricWindows(60);
    const bad = bucket(T, "green", { requests: 2, errors: 3 });
    expect(w.add(bad, T)).toBe("invalid");
    const short = bucket(T, "green", { requests: 1 });
    short.counts.latency = [1];
    expect(w.add(short, T)).toBe("invalid");
    expect(w.add({ ...bucket(T, "green", { requests: 1 }), color: "red" as never }, T)).toBe("invalid");
    expect(w.addReport({ isolateId: "x", buckets: [bad, bucket(T, "green", { requests: 1 })] }, T)).toEqual({
      added: 1,
      clamped: 0,
      late: 0,
      invalid: 1,
    });
    expect(w.summarize("green", 60, T).requests).toBe(1);
  });

  it("counts nothing before sinceSecond (the flip)", () => {
    const w = new MetricWindows(60);
    w.add(bucket(T, "green", { requests: 100, errors: 100 }), T);
    w.add(bucket(T + 5, "green", { requests: 20 }), T + 5);
    const m = w.summarize("green", 60, T + 5, { sinceSecond: T + 1 });
    expect(m).toMatchObject({ requests: 20, errors: { total: 0 }, fromSecond: T + 1, seconds: 60 });
  });

  it("gives per-second totals over the same seconds as summarize, oldest first", () => {
    const w = new MetricWindows(60);
    w.add(bucket(T - 20, "green", { requests: 9, errors: 9 }), T);
    w.add(bucket(T - 2, "green", { requests: 10, errors: { http5xx: 1, timeout: 1 } }), T);
    w.add(bucket(T, "green", { requests: 5, errors: { connect: 1 } }), T);
    w.add(bucket(T - 1, "green", { requests: 7 }), T);
    w.add(bucket(T, "blue", { requests: 3 }), T);
    expect(w.secondTotals("green", 10, T)).toEqual([
      { second: T - 2, requests: 10, errors: 2 },
      { second: T - 1, requests: 7, errors: 0 },
      { second: T, requests: 5, errors: 1 },
    ]);
    expect(w.secondTotals("green", 10, T, { sinceSecond: T - 1 }).map((s) => s.second)).toEqual([T - 1, T]);
  });

  it("refuses a window longer than the ring", () => {
    expect(() => new MetricWindows(60).summarize("green", 61, T)).toThrow(RangeError);
  });

  it("survives a JSON round trip for storage", () => {
    const w = new MetricWindows(60);
    for (let i = 0; i < 90; i++) w.add(bucket(T + i, i % 2 ? "green" : "blue", { requests: i, errors: i % 3, latencyMs: i * 7 }), T + i);
    const restored = MetricWindows.fromJSON(JSON.parse(JSON.stringify(w)));
    for (const color of ["blue", "green"] as const) {
      for (const seconds of [10, 60]) expect(restored.summarize(color, seconds, T + 89)).toEqual(w.summarize(color, seconds, T + 89));
    }
    expect(restored.toJSON()).toEqual(w.toJSON());
  });

  it("restores into a smaller ring when the policy's slow window shrank", () => {
    const w = new MetricWindows(60);
    for (let i = 0; i < 60; i++) w.add(bucket(T + i, "green", { requests: 1 }), T + i);
    const restored = MetricWindows.fromJSON(w.toJSON(), 30);
    expect(restored.capacitySeconds).toBe(30);
    expect(restored.summarize("green", 30, T + 59).requests).toBe(30);
  });

  it("refuses malformed stored JSON", () => {
    expect(() => MetricWindows.fromJSON({ version: 2 })).toThrow(TypeError);
    expect(() => MetricWindows.fromJSON({ version: 1, capacitySeconds: 60, colors: { blue: [{ second: 1 }], green: [] } })).toThrow(
      /invalid/,
    );
  });

  it("stays bounded: an hour of traffic keeps at most one slot per second of the ring", () => {
    const w = new MetricWindows(60);
    for (let i = 0; i < 3600; i++) {
      w.add(bucket(T + i, "green", { requests: 50, errors: 1 }), T + i);
      w.add(bucket(T + i, "blue", { requests: 5 }), T + i);
    }
    const json = w.toJSON();
    expect(json.colors.green).toHaveLength(60);
    expect(json.colors.blue).toHaveLength(60);
    expect(JSON.stringify(json).length).toBeLessThan(32 * 1024);
  });
});
