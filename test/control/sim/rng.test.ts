// Covers control/sim/engine/rng.ts — the simulation's seeded generator: the
// same seed gives the same stream, another seed another, and fork() hands out
// streams that neither repeat the parent's continuation nor shift it.
import { describe, expect, it } from "vitest";
import { Rng } from "../../../control/sim/engine/rng.js";

const draw = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.uniform());

describe("Rng", () => {
  it("repeats its stream for a seed, and differs for another seed", () => {
    const a = draw(new Rng(42), 100);
    expect(draw(new Rng(42), 100)).toEqual(a);
    expect(draw(new Rng(43), 100)).not.toEqual(a);
    for (const x of a) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });

  it("forks independent streams; drawing from a child leaves the parent's next values unchanged", () => {
    const parent = new Rng(7);
    const child = parent.fork();
    const parentNext = draw(parent, 20);
    const childValues = draw(child, 20);
    expect(childValues).not.toEqual(parentNext);

    const again = new Rng(7);
    const againChild = again.fork();
    draw(againChild, 1000); // the child draws much more this time
    expect(draw(again, 20)).toEqual(parentNext);
  });

  it("looks uniform: mean near 1/2, each tenth near a tenth of 100,000 draws", () => {
    const xs = draw(new Rng(1), 100_000);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.495);
    expect(mean).toBeLessThan(0.505);
    const bins = new Array<number>(10).fill(0);
    for (const x of xs) bins[Math.floor(x * 10)]! += 1;
    for (const n of bins) expect(Math.abs(n - 10_000)).toBeLessThan(500);
  });
});
