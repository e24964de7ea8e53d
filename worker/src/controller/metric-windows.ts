/**
 * Sliding windows of 1-second buckets per colour, fed by the isolates'
 * batched reports (docs/architecture.md "Router", "Controller"): outcome
 * counts for the error and latency rules, and the answered labels for the
 * prediction-drift rule. One ring per
 * colour with a slot per second, so memory is fixed by `capacitySeconds`; a
 * slot is reused when its second leaves the ring. Time is always passed in
 * (`nowSeconds`, the controller's clock), which keeps this pure and lets
 * tests replay timelines. Serializes to plain JSON so the Durable Object can
 * persist it.
 */
import * as z from "zod/mini";
import { COLORS, type Color } from "../../../contract/colors.js";
import { MAX_WINDOW_SECONDS } from "../../../contract/policy.js";
import type { WindowMetrics } from "../../../contract/status.js";
import { addLabelCounts, cloneLabelCounts, emptyLabelCounts, type LabelCounts } from "../../../contract/labels.js";
import { ColorCountsSchema, ERROR_CLASSES, SecondBucketSchema, type ColorCounts, type ErrorClass, type TelemetryEnvelope } from "../../../contract/telemetry.js";
import { addCounts } from "../relay/bucket-merge.js";
import { addHistogramInto, emptyHistogram, percentileMs } from "./histogram.js";

const StoredSlot = z.object({ second: z.int().check(z.minimum(0)), counts: ColorCountsSchema });

/** The persisted form (toJSON/fromJSON); only non-empty slots are kept. */
export const MetricWindowsJSONSchema = z.object({
  version: z.literal(1),
  capacitySeconds: z.int().check(z.gte(1), z.lte(MAX_WINDOW_SECONDS)),
  colors: z.object({ blue: z.array(StoredSlot), green: z.array(StoredSlot) }),
});
export type MetricWindowsJSON = z.infer<typeof MetricWindowsJSONSchema>;

export type ErrorCounts = Record<ErrorClass, number> & { total: number };

/** Requests and errors (all classes) of one second of one colour. */
export interface SecondTotals {
  second: number;
  requests: number;
  errors: number;
}

/**
 * What `add` did: counted in its own second; `clamped` to now (dated in the
 * future — clock skew); dropped as `late` (older than the ring); or rejected
 * as `invalid` (malformed counts).
 */
export type AddOutcome = "added" | "clamped" | "late" | "invalid";

interface Slot {
  second: number;
  counts: ColorCounts;
}

function cloneCounts(c: ColorCounts): ColorCounts {
  const copy: ColorCounts = { requests: c.requests, errors: { ...c.errors }, latency: [...c.latency] };
  if (c.predictions !== undefined) copy.predictions = cloneLabelCounts(c.predictions);
  return copy;
}

/** Per-colour rings of 1-second buckets covering the last `capacitySeconds`. */
export class MetricWindows {
  readonly capacitySeconds: number;
  readonly #rings: Record<Color, (Slot | undefined)[]>;

  /** `capacitySeconds` must cover the longest window summarized (the slow window). */
  constructor(capacitySeconds: number) {
    if (!Number.isInteger(capacitySeconds) || capacitySeconds < 1 || capacitySeconds > MAX_WINDOW_SECONDS) {
      throw new RangeError(`capacitySeconds must be a whole number in [1, ${MAX_WINDOW_SECONDS}], got ${capacitySeconds}`);
    }
    this.capacitySeconds = capacitySeconds;
    this.#rings = {
      blue: new Array<Slot | undefined>(capacitySeconds).fill(undefined),
      green: new Array<Slot | undefined>(capacitySeconds).fill(undefined),
    };
  }

  /** Counts one reported bucket (checked here: a malformed one is `invalid`) at controller time `nowSeconds` (whole seconds; fractions are floored). */
  add(bucket: unknown, nowSeconds: number): AddOutcome {
    const parsed = SecondBucketSchema.safeParse(bucket);
    if (!parsed.success) return "invalid";
    const now = Math.floor(nowSeconds);
    // An isolate's clock ahead of ours: the outcomes are real and recent, so count them now.
    const clamped = parsed.data.second > now;
    const second = clamped ? now : parsed.data.second;
    if (second <= now - this.capacitySeconds) return "late";
    if (!this.#place(parsed.data.color, second, parsed.data.counts)) return "late";
    return clamped ? "clamped" : "added";
  }

  /** Adds every bucket of a report; returns how many had each outcome. */
  addReport(report: TelemetryEnvelope, nowSeconds: number): Record<AddOutcome, number> {
    const tally: Record<AddOutcome, number> = { added: 0, clamped: 0, late: 0, invalid: 0 };
    for (const bucket of report.buckets) tally[this.add(bucket, nowSeconds)]++;
    return tally;
  }

  /**
   * Totals of `color` over the `windowSeconds` seconds ending at `nowSeconds`
   * (inclusive), counting no second before `sinceSecond` when given — pass
   * the flip's second so traffic from before the flip is not judged.
   */
  summarize(color: Color, windowSeconds: number, nowSeconds: number, options: { sinceSecond?: number } = {}): WindowMetrics {
    const { fromSecond, toSecond } = this.#range(windowSeconds, nowSeconds, options.sinceSecond);
    const errors: ErrorCounts = { total: 0, http5xx: 0, timeout: 0, connect: 0 };
    const latency = emptyHistogram();
    let requests = 0;
    for (const slot of this.#rings[color]) {
      if (!slot || slot.second < fromSecond || slot.second > toSecond) continue;
      requests += slot.counts.requests;
      for (const cls of ERROR_CLASSES) errors[cls] += slot.counts.errors[cls];
      addHistogramInto(latency, slot.counts.latency);
    }
    errors.total = errors.http5xx + errors.timeout + errors.connect;
    return {
      color,
      seconds: windowSeconds,
      fromSecond,
      toSecond,
      requests,
      errors,
      errorRate: requests === 0 ? null : errors.total / requests,
      p50Ms: percentileMs(latency, 0.5),
      p99Ms: percentileMs(latency, 0.99),
      latency,
    };
  }

  /** The predictions `color` answered over the same seconds `summarize` counts: labels (under the label cap), confidence, unparseable. */
  labels(color: Color, windowSeconds: number, nowSeconds: number, options: { sinceSecond?: number } = {}): LabelCounts {
    const { fromSecond, toSecond } = this.#range(windowSeconds, nowSeconds, options.sinceSecond);
    const out = emptyLabelCounts();
    // Oldest first, so that which labels fit under the cap does not depend on the ring's layout.
    const slots = this.#rings[color].filter((s): s is Slot => s !== undefined && s.second >= fromSecond && s.second <= toSecond && s.counts.predictions !== undefined);
    for (const slot of slots.sort((a, b) => a.second - b.second)) addLabelCounts(out, slot.counts.predictions!);
    return out;
  }

  /** Per-second totals of `color` over the same seconds `summarize` counts, oldest first; seconds without data are left out. */
  secondTotals(color: Color, windowSeconds: number, nowSeconds: number, options: { sinceSecond?: number } = {}): SecondTotals[] {
    const { fromSecond, toSecond } = this.#range(windowSeconds, nowSeconds, options.sinceSecond);
    return this.#rings[color]
      .filter((slot): slot is Slot => slot !== undefined && slot.second >= fromSecond && slot.second <= toSecond)
      .sort((a, b) => a.second - b.second)
      .map((slot) => ({
        second: slot.second,
        requests: slot.counts.requests,
        errors: slot.counts.errors.http5xx + slot.counts.errors.timeout + slot.counts.errors.connect,
      }));
  }

  /** Forgets everything counted for `color`, or for both colours. */
  clear(color?: Color): void {
    for (const c of color ? [color] : COLORS) this.#rings[c].fill(undefined);
  }

  /** Plain-JSON form for storage; only non-empty slots, oldest first. */
  toJSON(): MetricWindowsJSON {
    const slots = (c: Color) =>
      this.#rings[c]
        .filter((s): s is Slot => s !== undefined)
        .sort((a, b) => a.second - b.second)
        .map((s) => ({ second: s.second, counts: cloneCounts(s.counts) }));
    return { version: 1, capacitySeconds: this.capacitySeconds, colors: { blue: slots("blue"), green: slots("green") } };
  }

  /** Rebuilds from toJSON output, optionally into a ring of another size (policy changed); throws on malformed input. */
  static fromJSON(json: unknown, capacitySeconds?: number): MetricWindows {
    const parsed = MetricWindowsJSONSchema.safeParse(json);
    if (!parsed.success) throw new TypeError(`stored metric windows are invalid: ${z.prettifyError(parsed.error)}`);
    const windows = new MetricWindows(capacitySeconds ?? parsed.data.capacitySeconds);
    for (const color of COLORS) {
      for (const slot of parsed.data.colors[color]) windows.#place(color, slot.second, slot.counts);
    }
    return windows;
  }

  // The inclusive seconds a window covers.
  #range(windowSeconds: number, nowSeconds: number, sinceSecond: number | undefined): { fromSecond: number; toSecond: number } {
    if (!Number.isInteger(windowSeconds) || windowSeconds < 1 || windowSeconds > this.capacitySeconds) {
      throw new RangeError(`windowSeconds must be a whole number in [1, ${this.capacitySeconds}], got ${windowSeconds}`);
    }
    const toSecond = Math.floor(nowSeconds);
    return { fromSecond: Math.max(toSecond - windowSeconds + 1, Math.ceil(sinceSecond ?? -Infinity)), toSecond };
  }

  // Merges into the slot for `second`, taking it over when it holds an older second; false when it holds a newer one.
  #place(color: Color, second: number, counts: ColorCounts): boolean {
    const ring = this.#rings[color];
    const index = second % this.capacitySeconds;
    const slot = ring[index];
    if (slot && slot.second > second) return false;
    if (!slot || slot.second < second) {
      ring[index] = { second, counts: cloneCounts(counts) };
      return true;
    }
    addCounts(slot.counts, counts);
    return true;
  }
}
