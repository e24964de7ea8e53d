/**
 * Latency histograms over LATENCY_BUCKETS_MS plus one overflow bucket
 * (contract/telemetry.ts): merging, and percentiles estimated from bucket counts.
 *
 * Percentiles interpolate linearly inside the bucket that holds the rank, as
 * Prometheus' histogram_quantile does: the first bucket starts at 0 ms, and a
 * rank that lands in the overflow bucket reports the last finite bound
 * (OVERFLOW_BOUND_MS, 30 000 ms), which then reads "at least that". The
 * estimate never exceeds the upper bound of the bucket the rank is in.
 */
import { HISTOGRAM_LENGTH, LATENCY_BUCKETS_MS, OVERFLOW_BOUND_MS } from "../../../contract/telemetry.js";

export { HISTOGRAM_LENGTH, OVERFLOW_BOUND_MS };

/** An all-zero histogram. */
export function emptyHistogram(): number[] {
  return new Array<number>(HISTOGRAM_LENGTH).fill(0);
}

/** Adds `from` into `into` in place and returns `into`. */
export function addHistogramInto(into: number[], from: readonly number[]): number[] {
  if (into.length !== HISTOGRAM_LENGTH || from.length !== HISTOGRAM_LENGTH) {
    throw new RangeError(`histograms must have ${HISTOGRAM_LENGTH} buckets`);
  }
  for (let i = 0; i < HISTOGRAM_LENGTH; i++) into[i]! += from[i]!;
  return into;
}

/** The bucket-wise sum of histograms, as a new histogram. */
export function mergeHistograms(histograms: readonly (readonly number[])[]): number[] {
  const sum = emptyHistogram();
  for (const h of histograms) addHistogramInto(sum, h);
  return sum;
}

/** Total number of observations in a histogram. */
export function histogramCount(histogram: readonly number[]): number {
  return histogram.reduce((a, b) => a + b, 0);
}

/**
 * How many observations were slower than `thresholdMs`: whole buckets above
 * it, plus the interpolated part of the bucket it falls in, rounded down (so
 * the count never claims more slow requests than the histogram shows).
 */
export function countAboveMs(histogram: readonly number[], thresholdMs: number): number {
  if (histogram.length !== HISTOGRAM_LENGTH) throw new RangeError(`histograms must have ${HISTOGRAM_LENGTH} buckets`);
  let above = 0;
  for (let i = 0; i < HISTOGRAM_LENGTH; i++) {
    const count = histogram[i]!;
    if (count === 0) continue;
    const lower = i === 0 ? 0 : LATENCY_BUCKETS_MS[i - 1]!;
    const upper = i === LATENCY_BUCKETS_MS.length ? Number.POSITIVE_INFINITY : LATENCY_BUCKETS_MS[i]!;
    if (lower >= thresholdMs) above += count;
    else if (upper > thresholdMs) above += Math.floor((count * (upper - thresholdMs)) / (upper - lower));
  }
  return above;
}

/** The q-quantile (0 < q ≤ 1) in ms, interpolated within its bucket; null when the histogram is empty. */
export function percentileMs(histogram: readonly number[], q: number): number | null {
  if (!(q > 0 && q <= 1)) throw new RangeError(`quantile must be in (0, 1], got ${q}`);
  if (histogram.length !== HISTOGRAM_LENGTH) {
    throw new RangeError(`histograms must have ${HISTOGRAM_LENGTH} buckets`);
  }
  const total = histogramCount(histogram);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < HISTOGRAM_LENGTH; i++) {
    const count = histogram[i]!;
    if (count === 0) continue;
    if (below + count >= rank) {
      if (i === LATENCY_BUCKETS_MS.length) return OVERFLOW_BOUND_MS;
      const lower = i === 0 ? 0 : LATENCY_BUCKETS_MS[i - 1]!;
      const upper = LATENCY_BUCKETS_MS[i]!;
      return lower + ((upper - lower) * (rank - below)) / count;
    }
    below += count;
  }
  return OVERFLOW_BOUND_MS; // not reached: the last non-empty bucket always holds the rank
}
