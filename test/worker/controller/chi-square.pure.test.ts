// Covers worker/src/controller/chi-square.ts: ln Γ; the chi-square survival
// function against closed forms — even df (a finite Poisson sum), df = 1 and
// df = 3 (through erfc at points where its value is known to 17 digits) —
// down to tail probabilities of 1e-40 with a relative error below 1e-9, and
// against textbook table values; Pearson's test of homogeneity on a worked
// 2×2 table, equal mixes, empty categories and an empty sample.
import { describe, expect, it } from "vitest";
import { chiSquareSurvival, homogeneityTest, logGamma, upperGammaRegularized } from "../../../worker/src/controller/chi-square.js";

/** Relative difference. */
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** P(X ≥ x) for df = 2k: e^(−x/2) Σ_{i<k} (x/2)^i / i!, summed in logs. */
function evenDfSurvival(x: number, k: number): number {
  const y = x / 2;
  let logTerm = -y;
  let sum = Math.exp(logTerm);
  for (let i = 1; i < k; i++) {
    logTerm += Math.log(y) - Math.log(i);
    sum += Math.exp(logTerm);
  }
  return sum;
}

/** erfc at the points used below, to 17 significant digits. */
const ERFC = new Map([
  [1, 0.15729920705028513],
  [2, 0.0046777349810472658],
  [3, 2.2090496998585441e-5],
  [5, 1.5374597944280349e-12],
  [8, 1.1224297172982928e-29],
]);

describe("ln Γ", () => {
  it.each([
    [1, 0],
    [2, 0],
    [5, Math.log(24)],
    [0.5, Math.log(Math.sqrt(Math.PI))],
    [1.5, Math.log(Math.sqrt(Math.PI) / 2)],
    [20, Math.log(121645100408832000)],
    [171, 706.5730622457874],
  ])("ln Γ(%d)", (z, expected) => {
    expect(Math.abs(logGamma(z) - expected)).toBeLessThan(1e-10 * Math.max(1, Math.abs(expected)));
  });
});

describe("the chi-square survival function", () => {
  it.each([
    [2, 0.5], [2, 3], [2, 60], [4, 1], [4, 9.49], [4, 200], [6, 27.6], [10, 5], [10, 18.307], [20, 15], [32, 40], [32, 150], [64, 400],
  ])("matches the closed form for even df = %d at x = %d", (df, x) => {
    const expected = evenDfSurvival(x, df / 2);
    expect(rel(chiSquareSurvival(x, df), expected), `got ${chiSquareSurvival(x, df)}, want ${expected}`).toBeLessThan(1e-9);
  });

  it.each([...ERFC.keys()])("matches erfc for df = 1 and df = 3 at x = 2·%d²", (z) => {
    const x = 2 * z * z;
    const erfc = ERFC.get(z)!;
    expect(rel(chiSquareSurvival(x, 1), erfc)).toBeLessThan(1e-9);
    // Q(3/2, z²) = erfc(z) + 2 z e^(−z²) / √π
    const df3 = erfc + (2 * z * Math.exp(-z * z)) / Math.sqrt(Math.PI);
    expect(rel(chiSquareSurvival(x, 3), df3)).toBeLessThan(1e-9);
  });

  it("keeps its relative accuracy far out in the tail (never 1 − P)", () => {
    expect(chiSquareSurvival(128, 1)).toBeGreaterThan(0);
    expect(rel(chiSquareSurvival(128, 1), ERFC.get(8)!)).toBeLessThan(1e-9);
    expect(rel(chiSquareSurvival(180, 2), Math.exp(-90))).toBeLessThan(1e-9);
  });

  it.each([
    [1, 3.841459, 0.05],
    [2, 5.991465, 0.05],
    [5, 11.070498, 0.05],
    [10, 18.307038, 0.05],
    [30, 43.772972, 0.05],
    [3, 16.266236, 0.001],
    [7, 24.321886, 0.001],
    [2, 27.631021, 1e-6],
  ])("table value: df %d, x %d → %d", (df, x, p) => {
    expect(rel(chiSquareSurvival(x, df), p)).toBeLessThan(1e-5);
  });

  it("is 1 at 0, falls as x grows, and refuses a bad argument", () => {
    expect(chiSquareSurvival(0, 3)).toBe(1);
    const values = [0.1, 1, 2, 5, 10, 30, 100].map((x) => chiSquareSurvival(x, 5));
    expect([...values].sort((a, b) => b - a)).toEqual(values);
    expect(() => chiSquareSurvival(1, 0)).toThrow(RangeError);
    expect(() => upperGammaRegularized(-1, 1)).toThrow(RangeError);
  });
});

describe("the test of homogeneity", () => {
  it("a worked 2×2 table: X² = 0.79365, df 1, p 0.373", () => {
    const t = homogeneityTest([10, 20], [30, 40]);
    expect(t.statistic).toBeCloseTo(1 / 3 + 1 / 7 + 2 / 9 + 2 / 21, 10);
    expect(t.df).toBe(1);
    expect(t.pValue).toBeCloseTo(0.373, 3);
  });

  it("equal mixes of different sizes: X² 0, p 1", () => {
    expect(homogeneityTest([10, 20, 30], [100, 200, 300])).toEqual({ statistic: 0, df: 2, pValue: 1 });
  });

  it("a category neither sample holds does not count towards df", () => {
    expect(homogeneityTest([5, 0, 5], [50, 0, 10]).df).toBe(1);
  });

  it("an empty sample or a single category: nothing to compare, p 1", () => {
    expect(homogeneityTest([0, 0], [4, 5]).pValue).toBe(1);
    expect(homogeneityTest([7, 0], [9, 0]).pValue).toBe(1);
  });

  it("a large shift in a large sample is proven far beyond 1e-12", () => {
    const t = homogeneityTest([810, 480, 1120], [200, 100, 900]);
    expect(t.pValue).toBeLessThan(1e-12);
    expect(t.pValue).toBeGreaterThan(0);
  });
});
