/**
 * The dashboard's traffic timeline (issue 7): per colour, 5-second buckets
 * over the last 15 minutes — requests, errors and a latency histogram — fed
 * by the same isolate reports as the metric windows, so the page can chart
 * requests/s, error rate and p99 with flips and rollbacks marked. One ring
 * per colour with a slot per bucket fixes memory and storage; time is always
 * passed in, which keeps this pure. Serializes to plain JSON for the Durable
 * Object's `timeline` key (docs/storage.md).
 */
import { z } from "zod";
import { COLORS, ERROR_CLASSES, HISTOGRAM_LENGTH, SecondBucketSchema, type Color, type TelemetryReport } from "../telemetry-types.js";
import { addHistogramInto, emptyHistogram, percentileMs } from "./histogram.js";
import type { HistoryEntry } from "./transitions.js";

/** Width of one timeline bucket. */
export const TIMELINE_BUCKET_SECONDS = 5;
/** How far back the timeline reaches. */
export const TIMELINE_MAX_MINUTES = 15;
/** Slots per colour. */
export const TIMELINE_BUCKETS = (TIMELINE_MAX_MINUTES * 60) / TIMELINE_BUCKET_SECONDS;

const count = z.int().min(0);
const StoredBucket = z.object({ start: z.int().min(0), requests: count, errors: count, latency: z.array(count).length(HISTOGRAM_LENGTH) });
type Bucket = z.infer<typeof StoredBucket>;

/** The persisted form (toJSON/fromJSON); only non-empty buckets, oldest first. */
export const TimelineJSONSchema = z.object({
  version: z.literal(1),
  bucketSeconds: z.literal(TIMELINE_BUCKET_SECONDS),
  colors: z.object({ blue: z.array(StoredBucket).max(TIMELINE_BUCKETS), green: z.array(StoredBucket).max(TIMELINE_BUCKETS) }),
});
export type TimelineJSON = z.infer<typeof TimelineJSONSchema>;

/** One bucket of one colour as the admin API shows it. */
export interface TimelinePoint {
  /** ISO 8601 start of the bucket. */
  at: string;
  /** Seconds of the bucket that have passed (less than the bucket width only for the current one). */
  seconds: number;
  requests: number;
  errors: number;
  /** requests / seconds. */
  rps: number;
  /** errors / requests; null without requests. */
  errorRate: number | null;
  /** From the bucket's latency histogram; null without requests. */
  p99Ms: number | null;
}

/** A flip or rollback on the time axis. */
export type TimelineMarker = Pick<HistoryEntry, "at" | "action" | "kind" | "from" | "to" | "epoch" | "reason" | "actor">;

/** GET /admin/timeline. */
export interface TimelineView {
  bucketSeconds: number;
  minutes: number;
  /** ISO 8601 start of the first bucket and the time the view was made. */
  from: string;
  to: string;
  /** Every bucket of the range, oldest first (empty ones with zero requests). */
  colors: Record<Color, TimelinePoint[]>;
  /** Flips and rollbacks in the range, oldest first. */
  markers: TimelineMarker[];
}

/** Per-colour rings of 5-second buckets over the last 15 minutes. */
export class Timeline {
  readonly #rings: Record<Color, (Bucket | undefined)[]> = {
    blue: new Array<Bucket | undefined>(TIMELINE_BUCKETS).fill(undefined),
    green: new Array<Bucket | undefined>(TIMELINE_BUCKETS).fill(undefined),
  };

  /**
   * Counts a report's buckets at controller time `nowSeconds`: a second in
   * the future (isolate clock ahead) counts now; one older than the timeline
   * or malformed is dropped. Answers how many buckets were counted.
   */
  addReport(report: Pick<TelemetryReport, "buckets">, nowSeconds: number): number {
    const now = Math.floor(nowSeconds);
    let added = 0;
    for (const raw of report.buckets) {
      const parsed = SecondBucketSchema.safeParse(raw);
      if (!parsed.success) continue;
      const { color, counts } = parsed.data;
      const second = Math.min(parsed.data.second, now);
      const errors = ERROR_CLASSES.reduce((sum, cls) => sum + counts.errors[cls], 0);
      if (this.#place(color, bucketStart(second), now, counts.requests, errors, counts.latency)) added++;
    }
    return added;
  }

  /** Every bucket of `color` over the last `minutes` up to `nowSeconds`, oldest first, with empty ones filled in. */
  points(color: Color, nowSeconds: number, minutes: number): TimelinePoint[] {
    const now = Math.floor(nowSeconds);
    const last = bucketStart(now);
    const n = bucketsIn(minutes);
    const points: TimelinePoint[] = [];
    for (let start = last - (n - 1) * TIMELINE_BUCKET_SECONDS; start <= last; start += TIMELINE_BUCKET_SECONDS) {
      if (start < 0) continue;
      const slot = this.#rings[color][slotOf(start)];
      const bucket = slot !== undefined && slot.start === start ? slot : undefined;
      const seconds = Math.min(TIMELINE_BUCKET_SECONDS, now - start + 1);
      const requests = bucket?.requests ?? 0;
      const errors = bucket?.errors ?? 0;
      points.push({
        at: new Date(start * 1000).toISOString(),
        seconds,
        requests,
        errors,
        rps: round(requests / seconds, 2)!,
        errorRate: requests === 0 ? null : round(errors / requests, 4),
        p99Ms: bucket === undefined ? null : round(percentileMs(bucket.latency, 0.99), 1),
      });
    }
    return points;
  }

  /** Plain-JSON form for storage; only non-empty buckets, oldest first. */
  toJSON(): TimelineJSON {
    const buckets = (c: Color) =>
      this.#rings[c]
        .filter((b): b is Bucket => b !== undefined)
        .sort((a, b) => a.start - b.start)
        .map((b) => ({ ...b, latency: [...b.latency] }));
    return { version: 1, bucketSeconds: TIMELINE_BUCKET_SECONDS, colors: { blue: buckets("blue"), green: buckets("green") } };
  }

  /** Rebuilds from toJSON output; throws on malformed input. */
  static fromJSON(json: unknown): Timeline {
    const parsed = TimelineJSONSchema.safeParse(json);
    if (!parsed.success) throw new TypeError(`stored timeline is invalid: ${z.prettifyError(parsed.error)}`);
    const timeline = new Timeline();
    for (const color of COLORS) {
      for (const b of parsed.data.colors[color]) timeline.#place(color, b.start, Infinity, b.requests, b.errors, b.latency);
    }
    return timeline;
  }

  // Merges into the slot of bucket `start`, taking it over from an older bucket; false when too old or the slot holds a newer one.
  #place(color: Color, start: number, nowSeconds: number, requests: number, errors: number, latency: readonly number[]): boolean {
    if (nowSeconds !== Infinity && start <= bucketStart(nowSeconds) - TIMELINE_BUCKETS * TIMELINE_BUCKET_SECONDS) return false;
    const ring = this.#rings[color];
    const index = slotOf(start);
    const slot = ring[index];
    if (slot !== undefined && slot.start > start) return false;
    if (slot === undefined || slot.start < start) {
      ring[index] = { start, requests, errors, latency: addHistogramInto(emptyHistogram(), latency) };
      return true;
    }
    slot.requests += requests;
    slot.errors += errors;
    addHistogramInto(slot.latency, latency);
    return true;
  }
}

/** The timeline of the last `minutes` at `nowMs`, with the flips and rollbacks of `history` (any order) that fall in it. */
export function timelineView(timeline: Timeline, nowMs: number, minutes: number, history: readonly HistoryEntry[]): TimelineView {
  const nowSeconds = nowMs / 1000;
  const colors = { blue: timeline.points("blue", nowSeconds, minutes), green: timeline.points("green", nowSeconds, minutes) };
  const from = colors.blue[0]?.at ?? new Date(nowMs).toISOString();
  const fromMs = Date.parse(from);
  const markers = history
    .filter((e) => {
      const at = Date.parse(e.at);
      return at >= fromMs && at <= nowMs;
    })
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
    .map(({ at, action, kind, from: f, to, epoch, reason, actor }) => ({ at, action, kind, from: f, to, epoch, reason, actor }));
  return { bucketSeconds: TIMELINE_BUCKET_SECONDS, minutes: clampMinutes(minutes), from, to: new Date(nowMs).toISOString(), colors, markers };
}

function bucketStart(second: number): number {
  return Math.floor(second / TIMELINE_BUCKET_SECONDS) * TIMELINE_BUCKET_SECONDS;
}

function slotOf(start: number): number {
  return (start / TIMELINE_BUCKET_SECONDS) % TIMELINE_BUCKETS;
}

function clampMinutes(minutes: number): number {
  return Math.min(TIMELINE_MAX_MINUTES, Math.max(1, Math.floor(minutes)));
}

function bucketsIn(minutes: number): number {
  return (clampMinutes(minutes) * 60) / TIMELINE_BUCKET_SECONDS;
}

function round(x: number | null, digits: number): number | null {
  return x === null ? null : Number(x.toFixed(digits));
}
