/**
 * The few distributions the model draws from, on a seeded Rng: Poisson
 * (arrivals per tick), binomial (failed attempts among them), lognormal
 * (network delays) and Zipf weights (traffic per location), plus a
 * largest-remainder split of a whole number by weights. Textbook methods,
 * written here because the only library offering them seeded (@stdlib)
 * brings dozens of packages per distribution.
 */
import type { Rng } from "./rng.js";

/** Poisson(λ): inversion by sequential search for λ ≤ 30; larger λ as a sum of Poisson(30) parts (exact, O(λ/30)). */
export function poisson(rng: Rng, lambda: number): number {
  if (!(lambda >= 0)) throw new RangeError(`λ must be ≥ 0, got ${lambda}`);
  let total = 0;
  let rest = lambda;
  while (rest > 30) {
    total += poissonSmall(rng, 30);
    rest -= 30;
  }
  return total + poissonSmall(rng, rest);
}

function poissonSmall(rng: Rng, lambda: number): number {
  if (lambda === 0) return 0;
  let k = 0;
  let p = Math.exp(-lambda);
  let cdf = p;
  const u = rng.uniform();
  while (u > cdf && k < 1000) {
    k += 1;
    p *= lambda / k;
    cdf += p;
  }
  return k;
}

/** Binomial(n, p) as n Bernoulli trials: exact, and n is small here (one isolate's attempts in one tick). */
export function binomial(rng: Rng, n: number, p: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a whole number ≥ 0, got ${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be in [0, 1], got ${p}`);
  if (p === 0 || n === 0) return 0;
  if (p === 1) return n;
  let k = 0;
  for (let i = 0; i < n; i++) if (rng.uniform() < p) k++;
  return k;
}

/** A standard normal draw (Box–Muller, one of the pair). */
export function standardNormal(rng: Rng): number {
  const u1 = 1 - rng.uniform(); // (0, 1]: log is finite
  const u2 = rng.uniform();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Lognormal with the given median and σ of the underlying normal: median·e^(σZ). */
export function lognormal(rng: Rng, median: number, sigma: number): number {
  return median * Math.exp(sigma * standardNormal(rng));
}

/** Zipf weights 1/k^s for ranks 1…count, normalised to sum 1. */
export function zipfWeights(count: number, s: number): number[] {
  const raw = Array.from({ length: count }, (_, i) => 1 / (i + 1) ** s);
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / sum);
}

/** Splits `total` into whole parts proportional to `weights` (largest remainder; ties to the lower index). */
export function allocate(total: number, weights: readonly number[]): number[] {
  const exact = weights.map((w) => w * total);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left === 0) break;
    parts[i]! += 1;
    left -= 1;
  }
  return parts;
}
