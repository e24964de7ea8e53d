/**
 * Pearson's chi-square test of homogeneity for two count vectors (is the
 * label mix of this window drawn from the same distribution as the
 * baseline's?), and the chi-square distribution's survival function it
 * needs, as pure functions for the prediction-drift rule (drift-rule.ts).
 *
 * The survival function is the regularized upper incomplete gamma function
 * Q(df/2, x/2), computed here rather than taken from a library: the
 * well-kept one that computes it (a statistics library's incomplete gamma)
 * adds about 108 KiB to the Worker's bundle, a third of its 300 KiB budget,
 * for some forty lines. The method is the textbook one: the power series of
 * the lower function P for x < a + 1, else Legendre's continued fraction for
 * Q evaluated by the modified Lentz method, with ln Γ from the Lanczos
 * approximation (g = 7, 9 coefficients). Both converge to full double
 * precision here, and Q is computed directly (never as 1 − P), so tail
 * probabilities far below 1e-16 keep their relative accuracy — the rule
 * tests p < 1e-6 and reports p < 1e-12. test/worker/controller/chi-square.pure.test.ts
 * checks it against closed forms (even df; df = 1 and 3 through erfc) and
 * against table values.
 */

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const EPSILON = 1e-15;
const MAX_ITERATIONS = 1_000;
/** Below this the Lentz recurrence replaces a zero denominator. */
const TINY = 1e-300;

/** ln Γ(z) for z > 0 (Lanczos approximation; reflection below 0.5). */
export function logGamma(z: number): number {
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const x = z - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (x + i);
  const t = x + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** P(a, x) by its power series (x < a + 1). */
function lowerBySeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

/** Q(a, x) by the continued fraction (x ≥ a + 1), modified Lentz. */
function upperByFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a), for a > 0, x ≥ 0. */
export function upperGammaRegularized(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) throw new RangeError(`Q(a, x) needs a > 0 and x ≥ 0, got a = ${a}, x = ${x}`);
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? Math.max(0, 1 - lowerBySeries(a, x)) : upperByFraction(a, x);
}

/** P(X ≥ x) for X chi-square distributed with `df` degrees of freedom. */
export function chiSquareSurvival(x: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`df must be positive, got ${df}`);
  return x <= 0 ? 1 : upperGammaRegularized(df / 2, x / 2);
}

/** The outcome of a test of homogeneity. */
export interface Homogeneity {
  /** Pearson's X². */
  statistic: number;
  /** Categories with any count, minus one. */
  df: number;
  /** P(X² at least this large | both samples from one distribution); 1 when there is nothing to compare. */
  pValue: number;
}

/**
 * Pearson's chi-square test of homogeneity of two samples' category counts
 * (`a[i]` and `b[i]` count the same category): the 2×k contingency table's
 * X² over the categories either sample holds, df = k − 1. Both samples'
 * noise is accounted for, so a small baseline is not mistaken for a
 * precise one.
 */
export function homogeneityTest(a: readonly number[], b: readonly number[]): Homogeneity {
  if (a.length !== b.length) throw new RangeError(`the samples count ${a.length} and ${b.length} categories`);
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    na += a[i]!;
    nb += b[i]!;
  }
  const n = na + nb;
  let statistic = 0;
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    const column = a[i]! + b[i]!;
    if (column === 0) continue;
    k++;
    const ea = (na * column) / n;
    const eb = (nb * column) / n;
    statistic += (a[i]! - ea) ** 2 / ea + (b[i]! - eb) ** 2 / eb;
  }
  if (na === 0 || nb === 0 || k < 2) return { statistic: 0, df: Math.max(0, k - 1), pValue: 1 };
  return { statistic, df: k - 1, pValue: chiSquareSurvival(statistic, k - 1) };
}
