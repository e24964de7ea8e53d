// Covers control/sim/engine/distributions.ts and network.ts — the model's
// draws: Poisson and binomial means and variances (small and large λ),
// lognormal delays with the stated median and σ for every delay class, Zipf
// weights, and the largest-remainder split of isolates over locations. All
// seeded, so each figure below is fixed for the seed (no flaky tolerance).
import { describe, expect, it } from "vitest";
import { allocate, binomial, lognormal, poisson, zipfWeights } from "../../../control/sim/engine/distributions.js";
import { DELAYS, Network, type DelayClass } from "../../../control/sim/engine/network.js";
import { Rng } from "../../../control/sim/engine/rng.js";

function moments(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, variance: xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe("poisson", () => {
  it.each([0.5, 3, 10, 75])("λ = %s: mean and variance within 3% of λ over 40,000 draws", (lambda) => {
    const rng = new Rng(11);
    const { mean, variance } = moments(Array.from({ length: 40_000 }, () => poisson(rng, lambda)));
    expect(Math.abs(mean - lambda) / lambda).toBeLessThan(0.03);
    expect(Math.abs(variance - lambda) / lambda).toBeLessThan(0.05);
  });

  it("is 0 for λ = 0 and refuses a negative λ", () => {
    expect(poisson(new Rng(1), 0)).toBe(0);
    expect(() => poisson(new Rng(1), -1)).toThrow(RangeError);
  });
});

describe("binomial", () => {
  it("n = 20, p = 0.3: mean 6, variance 4.2, never outside 0…n", () => {
    const rng = new Rng(5);
    const xs = Array.from({ length: 40_000 }, () => binomial(rng, 20, 0.3));
    const { mean, variance } = moments(xs);
    expect(mean).toBeCloseTo(6, 1);
    expect(Math.abs(variance - 4.2)).toBeLessThan(0.15);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThanOrEqual(20);
  });

  it("is exact at the ends: p = 0 gives 0, p = 1 gives n", () => {
    expect(binomial(new Rng(1), 17, 0)).toBe(0);
    expect(binomial(new Rng(1), 17, 1)).toBe(17);
  });
});

describe("delays (lognormal per class)", () => {
  it("lognormal(median 20, σ 0.4): sample median within 2%, log-σ within 3%", () => {
    const rng = new Rng(3);
    const xs = Array.from({ length: 40_000 }, () => lognormal(rng, 20, 0.4));
    expect(Math.abs(median(xs) - 20) / 20).toBeLessThan(0.02);
    const { variance } = moments(xs.map(Math.log));
    expect(Math.abs(Math.sqrt(variance) - 0.4) / 0.4).toBeLessThan(0.03);
  });

  it.each(Object.keys(DELAYS) as DelayClass[])("class %s draws around its stated median, always positive", (cls) => {
    const net = new Network(new Rng(9));
    const xs = Array.from({ length: 20_000 }, () => net.delay(cls));
    expect(Math.abs(median(xs) - DELAYS[cls].medianMs) / DELAYS[cls].medianMs).toBeLessThan(0.03);
    expect(Math.min(...xs)).toBeGreaterThan(0);
  });

  it("loses answers at the stated probability, never at 0", () => {
    const net = new Network(new Rng(2));
    const lost = Array.from({ length: 100_000 }, () => net.lost(0.01)).filter(Boolean).length;
    expect(Math.abs(lost - 1000)).toBeLessThan(100);
    expect(Array.from({ length: 1000 }, () => net.lost(0)).some(Boolean)).toBe(false);
  });
});

describe("zipfWeights and allocate", () => {
  it("Zipf s = 1 over 250 locations: weights sum to 1, the first is twice the second, ~16% of the traffic", () => {
    const w = zipfWeights(250, 1);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(w[0]! / w[1]!).toBeCloseTo(2, 12);
    expect(w[0]).toBeGreaterThan(0.16);
    expect(w[0]).toBeLessThan(0.17);
  });

  it("splits a whole number exactly, each part within 1 of its share", () => {
    const w = zipfWeights(250, 1);
    for (const total of [10, 100, 1000, 10_000, 50_000]) {
      const parts = allocate(total, w);
      expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
      parts.forEach((p, i) => expect(Math.abs(p - w[i]! * total)).toBeLessThan(1));
    }
  });
});
