/**
 * GET /admin/timeline, the dashboard's chart: per colour, 5-second buckets
 * over the last minutes (requests, errors, rate, p99), with the flips and
 * rollbacks in the range marked.
 */
import * as z from "zod/mini";
import { TIMELINE_BUCKET_SECONDS, TIMELINE_MAX_MINUTES } from "./admin.js";
import { HistoryEntry, IsoTime } from "./history.js";
import "./zod-messages.js";

const time = IsoTime;
const count = z.int().check(z.nonnegative());

/** One bucket of one colour. */
export const TimelinePoint = z.strictObject({
  /** ISO 8601 start of the bucket. */
  at: time,
  /** Seconds of the bucket that have passed (less than the bucket width only for the current one). */
  seconds: z.number().check(z.positive()),
  requests: count,
  errors: count,
  /** requests / seconds. */
  rps: z.number().check(z.nonnegative()),
  /** errors / requests; null without requests. */
  errorRate: z.nullable(z.number().check(z.gte(0), z.lte(1))),
  /** From the bucket's latency histogram; null without requests. */
  p99Ms: z.nullable(z.number().check(z.nonnegative())),
});
export type TimelinePoint = z.infer<typeof TimelinePoint>;

/** A flip or rollback on the time axis: its history row without the metrics. */
export const TimelineMarker = z.omit(HistoryEntry, { metrics: true });
export type TimelineMarker = z.infer<typeof TimelineMarker>;

/** The answer of GET /admin/timeline. */
export const TimelineView = z.strictObject({
  bucketSeconds: z.literal(TIMELINE_BUCKET_SECONDS),
  minutes: z.int().check(z.gte(1), z.lte(TIMELINE_MAX_MINUTES)),
  /** ISO 8601 start of the first bucket and the time the view was made. */
  from: time,
  to: time,
  /** Every bucket of the range, oldest first (empty ones with zero requests). */
  colors: z.strictObject({ blue: z.array(TimelinePoint), green: z.array(TimelinePoint) }),
  /** Flips and rollbacks in the range, oldest first. */
  markers: z.array(TimelineMarker),
});
export type TimelineView = z.infer<typeof TimelineView>;
