/**
 * The dashboard's traffic timeline (GET /admin/timeline, whose answer is
 * contract/timeline.ts): per colour, 5-second buckets over the last 15
 * minutes — requests, errors and a latency histogram — fed
 * by the same isolate reports as the metric windows, so the page can chart
 * requests/s, error rate and p99 with flips and rollbacks marked. One ring
 * per colour with a slot per bucket fixes memory and storage; time is always
 * passed in, which keeps this pure. Serializes to plain JSON for the Durable
 * Object's `timeline` key (docs/storage.md).
 */
import * as z from "zod/mini";
import { TIMELINE_BUCKET_SECONDS, TIMELINE_MAX_MINUTES } from "../../../contract/admin.js";
import { COLORS, type Color } from "../../../contract/colors.js";
import type { HistoryEntry } from "../../../contract/history.js";
import { ERROR_CLASSES, HISTOGRAM_LENGTH, SecondBucketSchema, type TelemetryEnvelope } from "../../../contract/telemetry.js";
import type { TimelinePoint, TimelineView } from "../../../contract/timeline.js";
import { ColorRing, type RingValues } from "./color-ring.js";
import { addHistogramInto, emptyHistogram, percentileMs } from "./histogram.js";

/** Slots per colour. */
export const TIMELINE_BUCKETS = (TIMELINE_MAX_MINUTES * 60) / TIMELINE_BUCKET_SECONDS;

const count = z.int().check(z.minimum(0));
const StoredBucket = z.object({ start: count, requests: count, errors: count, latency: z.array(count).check(z.length(HISTOGRAM_LENGTH)) });

/** What a bucket holds; the ring keys it by its start / TIMELINE_BUCKET_SECONDS. */
interface Traffic {
  requests: number;
  errors: number;
  latency: number[];
}

const TRAFFIC: RingValues<Traffic> = {
  fresh: (t) => ({ requests: t.requests, errors: t.errors, latency: addHistogramInto(emptyHistogram(), t.latency) }),
  merge: (into, t) => {
    into.requests += t.requests;
    into.errors += t.errors;
    addHistogramInto(into.latency, t.latency);
  },
};
const StoredRing = z.array(StoredBucket).check(z.maxLength(TIMELINE_BUCKETS));

/** The persisted form (toJSON/fromJSON); only non-empty buckets, oldest first. */
export const TimelineJSONSchema = z.object({
  version: z.literal(1),
  bucketSeconds: z.literal(TIMELINE_BUCKET_SECONDS),
  colors: z.object({ blue: StoredRing, green: StoredRing }),
});
export type TimelineJSON = z.infer<typeof TimelineJSONSchema>;

/** Per-colour rings of 5-second buckets over the last 15 minutes. */
export class Timeline {
  readonly #ring = new ColorRing<Traffic>(TIMELINE_BUCKETS, TRAFFIC);

  /**
   * Counts a report's buckets at controller time `nowSeconds`: a second in
   * the future (isolate clock ahead) counts now; one older than the timeline
   * or malformed is dropped. Answers how many buckets were counted.
   */
  addReport(report: Pick<TelemetryEnvelope, "buckets">, nowSeconds: number): number {
    const now = Math.floor(nowSeconds);
    let added = 0;
    for (const raw of report.buckets) {
      const parsed = SecondBucketSchema.safeParse(raw);
      if (!parsed.success) continue;
      const { color, counts } = parsed.data;
      const second = Math.min(parsed.data.second, now);
      const errors = ERROR_CLASSES.reduce((sum, cls) => sum + counts.errors[cls], 0);
      if (this.#ring.place(color, keyOf(second), keyOf(now), { requests: counts.requests, errors, latency: counts.latency })) added++;
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
      const bucket = this.#ring.at(color, keyOf(start));
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
      this.#ring.entries(c).map(({ key, value }) => ({ start: key * TIMELINE_BUCKET_SECONDS, requests: value.requests, errors: value.errors, latency: [...value.latency] }));
    return { version: 1, bucketSeconds: TIMELINE_BUCKET_SECONDS, colors: { blue: buckets("blue"), green: buckets("green") } };
  }

  /** Rebuilds from toJSON output; throws on malformed input. */
  static fromJSON(json: unknown): Timeline {
    const parsed = TimelineJSONSchema.safeParse(json);
    if (!parsed.success) throw new TypeError(`stored timeline is invalid: ${z.prettifyError(parsed.error)}`);
    const timeline = new Timeline();
    for (const color of COLORS) {
      for (const b of parsed.data.colors[color]) timeline.#ring.place(color, keyOf(b.start), Infinity, b);
    }
    return timeline;
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

/** The ring's key of the bucket holding `second`: its start / TIMELINE_BUCKET_SECONDS. */
function keyOf(second: number): number {
  return Math.floor(second / TIMELINE_BUCKET_SECONDS);
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
