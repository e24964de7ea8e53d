/**
 * Wilson score interval for a proportion (errors out of requests). Unlike the
 * plain ratio it stays honest at small counts: 2 errors in 20 requests is a
 * 10% ratio, but the 95% interval is about 2.8%–30%, so it does not prove
 * an error rate above 5%. See docs/rollback-policy.md.
 */

/** z for a two-sided 95% interval. */
export const WILSON_Z_95 = 1.96;

export interface WilsonInterval {
  lower: number;
  upper: number;
}

/** The Wilson score interval of `hits` out of `trials` (default 95%); [0, 1] when there are no trials. */
export function wilsonInterval(hits: number, trials: number, z: number = WILSON_Z_95): WilsonInterval {
  if (!Number.isInteger(trials) || trials < 0) throw new RangeError(`trials must be a whole number ≥ 0, got ${trials}`);
  if (!Number.isInteger(hits) || hits < 0 || hits > trials) {
    throw new RangeError(`hits must be a whole number in [0, ${trials}], got ${hits}`);
  }
  if (trials === 0) return { lower: 0, upper: 1 };
  const p = hits / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = p + z2 / (2 * trials);
  const margin = z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return {
    // Clamped: at p = 0 or 1 the bound is exactly 0 or 1 on paper but may round past it.
    lower: Math.max(0, (centre - margin) / denominator),
    upper: Math.min(1, (centre + margin) / denominator),
  };
}

/** Lower bound of the 95% Wilson interval of `hits` out of `trials`. */
export function wilsonLowerBound(hits: number, trials: number): number {
  return wilsonInterval(hits, trials).lower;
}

/** Upper bound of the 95% Wilson interval of `hits` out of `trials`. */
export function wilsonUpperBound(hits: number, trials: number): number {
  return wilsonInterval(hits, trials).upper;
}

/** Smallest error count out of `requests` whose 95% lower bound is above `maxRate`; null when none is. */
export function smallestFailingErrors(requests: number, maxRate: number): number | null {
  for (let errors = 0; errors <= requests; errors++) {
    if (wilsonLowerBound(errors, requests) > maxRate) return errors;
  }
  return null;
}
