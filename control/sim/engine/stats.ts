/** Small summaries for the tables: percentiles, means, per-second series. */

/** The q-quantile (0…1) of `values` by nearest rank; null when empty. */
export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** Mean of `series` over whole seconds [from, to). */
export function meanOver(series: readonly number[], from: number, to: number): number {
  let sum = 0;
  for (let s = from; s < to; s++) sum += series[s] ?? 0;
  return to > from ? sum / (to - from) : 0;
}

/** Largest value of `series` over whole seconds [from, to). */
export function maxOver(series: readonly number[], from: number, to: number): number {
  let max = 0;
  for (let s = from; s < to; s++) max = Math.max(max, series[s] ?? 0);
  return max;
}

/** Element-wise sum of equally long series. */
export function addSeries(into: number[], from: readonly number[]): void {
  for (let i = 0; i < into.length; i++) into[i]! += from[i] ?? 0;
}
