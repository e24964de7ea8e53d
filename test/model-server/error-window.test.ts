// Covers: the model server's error-window.ts — 1-second buckets, the window
// forgets requests older than N seconds, ring slots are reused correctly.
import { describe, expect, it } from "vitest";
import { ErrorWindow } from "../../model-server/index.js";

function clock(startMs = 1_000_000) {
  let t = startMs;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("ErrorWindow", () => {
  it("reports 0 with no requests", () => {
    expect(new ErrorWindow(10).counts()).toEqual({ requests: 0, errors: 0, errorRate: 0 });
  });

  it("counts requests and errors inside the window", () => {
    const c = clock();
    const w = new ErrorWindow(10, c.now);
    for (let i = 0; i < 4; i++) w.record(i === 0);
    c.advance(3_000);
    w.record(true);
    expect(w.counts()).toEqual({ requests: 5, errors: 2, errorRate: 0.4 });
  });

  it("forgets buckets older than the window", () => {
    const c = clock();
    const w = new ErrorWindow(5, c.now);
    w.record(true);
    w.record(true);
    c.advance(4_000);
    w.record(false);
    expect(w.counts().requests).toBe(3);
    c.advance(1_000); // the first second is now 5 s old: out
    expect(w.counts()).toEqual({ requests: 1, errors: 0, errorRate: 0 });
    c.advance(5_000);
    expect(w.counts().requests).toBe(0);
  });

  it("resets a reused ring slot instead of adding to its old counts", () => {
    const c = clock();
    const w = new ErrorWindow(3, c.now);
    w.record(true);
    c.advance(3_000); // same slot (second % 3), a new second
    w.record(false);
    expect(w.counts()).toEqual({ requests: 1, errors: 0, errorRate: 0 });
  });

  it("a late failure is not diluted by old healthy traffic", () => {
    const c = clock();
    const w = new ErrorWindow(10, c.now);
    for (let s = 0; s < 60; s++) {
      for (let i = 0; i < 10; i++) w.record(false);
      c.advance(1_000);
    }
    for (let i = 0; i < 10; i++) w.record(true);
    expect(w.counts().errorRate).toBeCloseTo(10 / 100, 5);
  });

  it("rejects a window shorter than one second", () => {
    expect(() => new ErrorWindow(0)).toThrow(RangeError);
  });
});
