// Covers worker/src/controller/wilson.ts: the 95% Wilson score interval
// against independently computed values, its edge cases, and the smallest
// failing error counts quoted in docs/rollback-policy.md.
import { describe, expect, it } from "vitest";
import { smallestFailingErrors, wilsonInterval, wilsonLowerBound, wilsonUpperBound } from "../../../worker/src/controller/wilson.js";

describe("wilson", () => {
  it("matches the textbook formula", () => {
    // 9/30 at z = 1.96, worked by hand from (p + z²/2n ± z√(p(1-p)/n + z²/4n²)) / (1 + z²/n).
    const { lower, upper } = wilsonInterval(9, 30);
    expect(lower).toBeCloseTo(0.16665, 4);
    expect(upper).toBeCloseTo(0.47876, 4);
  });

  it("is [0, 1] with no trials and pinned at 0 with no hits", () => {
    expect(wilsonInterval(0, 0)).toEqual({ lower: 0, upper: 1 });
    expect(wilsonLowerBound(0, 500)).toBe(0);
    expect(wilsonUpperBound(0, 500)).toBeGreaterThan(0);
  });

  it("narrows as the sample grows at the same ratio", () => {
    expect(wilsonLowerBound(100, 1000)).toBeGreaterThan(wilsonLowerBound(2, 20));
    expect(wilsonUpperBound(100, 1000)).toBeLessThan(wilsonUpperBound(2, 20));
  });

  it("rejects impossible counts", () => {
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 2.5)).toThrow(RangeError);
  });

  it("gives the smallest failing error counts in docs/rollback-policy.md", () => {
    const table = [20, 50, 100, 500, 1000].map((n) => [n, smallestFailingErrors(n, 0.05)]);
    expect(table).toEqual([
      [20, 3],
      [50, 6],
      [100, 10],
      [500, 35],
      [1000, 64],
    ]);
    // And the count just below is not enough.
    for (const [n, k] of table) expect(wilsonLowerBound(k! - 1, n!)).toBeLessThanOrEqual(0.05);
  });
});
