/**
 * The drift simulation's summaries (`npm run sim:drift`, main.ts): pure, so
 * the tables' arithmetic is tested apart from the seeded runs.
 */
import type { BakeOutcome } from "./bake.js";

/** "10,50,500" → [10, 50, 500]; empty or non-numeric entries are an error (an empty list). */
export function numberList(text: string): number[] {
  const out = text.split(",").map((s) => Number(s.trim()));
  return out.some((x) => !Number.isFinite(x) || x <= 0) ? [] : out;
}

/** Per threshold: "k of n (rate)" bakes that failed at least once, e.g. "3 of 10000 (3.0e-4)". */
export function falseRollbackSummary(outcomes: readonly BakeOutcome[], shifts: readonly number[]): string[] {
  return shifts.map((_, i) => {
    const failed = outcomes.filter((o) => o.firstFailureS[i] !== null).length;
    const rate = failed === 0 ? `< ${(1 / outcomes.length).toExponential(0)}` : (failed / outcomes.length).toExponential(1);
    return `${failed} of ${outcomes.length} (${rate})`;
  });
}

/** The q-quantile (nearest rank) of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Median, p95 and max detection time in seconds ("—" when not caught), and how many bakes never caught the fault. */
export function detectionSummary(times: ReadonlyArray<number | null>): { median: string; p95: string; max: string; missed: string } {
  const missed = times.filter((t) => t === null).length;
  // A bake that never caught it counts as slower than any that did.
  const sorted = times.map((t) => t ?? Infinity).sort((a, b) => a - b);
  const show = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} s` : "—");
  return { median: show(quantile(sorted, 0.5)), p95: show(quantile(sorted, 0.95)), max: show(quantile(sorted, 1)), missed: `${missed} of ${times.length}` };
}
