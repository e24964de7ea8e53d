/**
 * Adding per-second buckets together: a relay merges its isolates' buckets
 * into one batch per forward, keyed by second and colour, so the controller
 * gets the same sums it would have got from every isolate (docs/scale.md).
 */
import { type Color } from "../../../contract/colors.js";
import { addLabelCounts, emptyLabelCounts } from "../../../contract/labels.js";
import { ERROR_CLASSES, addShadowCounts, emptyCounts, emptyShadowCounts, type ColorCounts, type SecondBucket } from "../../../contract/telemetry.js";

/** Adds `from` into `into`: requests, errors, latency, the predictions' labels (under the label cap) and the shadow mirror's counts. */
export function addCounts(into: ColorCounts, from: ColorCounts): void {
  into.requests += from.requests;
  for (const k of ERROR_CLASSES) into.errors[k] += from.errors[k];
  for (let i = 0; i < from.latency.length; i++) into.latency[i]! += from.latency[i]!;
  if (from.predictions !== undefined) addLabelCounts((into.predictions ??= emptyLabelCounts()), from.predictions);
  if (from.shadow !== undefined) addShadowCounts((into.shadow ??= emptyShadowCounts()), from.shadow);
}

/** Errors of all classes in `counts`. */
export function errorTotal(counts: ColorCounts): number {
  return counts.errors.http5xx + counts.errors.timeout + counts.errors.connect;
}

/** Buckets merged by (second, colour). */
export class BucketSums {
  #buckets = new Map<string, SecondBucket>();
  #totals = { blue: { requests: 0, errors: 0 }, green: { requests: 0, errors: 0 } };

  /** Adds one bucket. */
  add(bucket: SecondBucket): void {
    addCounts(this.#of(bucket.second, bucket.color).counts, bucket.counts);
    const t = this.#totals[bucket.color];
    t.requests += bucket.counts.requests;
    t.errors += errorTotal(bucket.counts);
  }

  /** True when nothing was added since the last take. */
  get empty(): boolean {
    return this.#buckets.size === 0;
  }

  /** Requests and errors of `color` added since the last take. */
  totals(color: Color): { requests: number; errors: number } {
    return { ...this.#totals[color] };
  }

  /** Empties the sums, answering them oldest second first. */
  take(): SecondBucket[] {
    const out = [...this.#buckets.values()].sort((a, b) => a.second - b.second || a.color.localeCompare(b.color));
    this.#buckets = new Map();
    this.#totals = { blue: { requests: 0, errors: 0 }, green: { requests: 0, errors: 0 } };
    return out;
  }

  #of(second: number, color: Color): SecondBucket {
    const key = `${second}:${color}`;
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { second, color, counts: emptyCounts() };
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }
}
