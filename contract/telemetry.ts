/**
 * The outcome reports isolates send to their DeploymentController (they
 * cross from an isolate to the Durable Object over RPC), and the latency
 * histogram both sides share. Counts are grouped by wall-clock second so the
 * controller can place them in its 1-second window buckets exactly.
 */
import * as z from "zod/mini";
import { Color } from "./colors.js";
import { LabelCountsSchema } from "./labels.js";
import "./zod-messages.js";

/** Upper bounds (ms, inclusive) of the latency histogram; one more bucket holds everything above the last. */
export const LATENCY_BUCKETS_MS = [
  2, 5, 10, 20, 35, 50, 75, 100, 150, 250, 400, 600, 1000, 1500, 2500, 5000, 10000, 30000,
] as const;

/** Number of counts in a latency histogram: one per bound, plus the overflow bucket. */
export const HISTOGRAM_LENGTH = LATENCY_BUCKETS_MS.length + 1;

/** What a percentile in the overflow bucket reports: the last finite bound (30 000 ms). */
export const OVERFLOW_BOUND_MS: number = LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1]!;

/** Error classes counted against a colour. */
export const ERROR_CLASSES = ["http5xx", "timeout", "connect"] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

const count = z.int().check(z.minimum(0));

/**
 * One colour's counts for one second: requests attempted on the colour (each
 * origin attempt counts once), errors by class (never more than requests),
 * counts per LATENCY_BUCKETS_MS bucket plus the overflow bucket, and — when
 * the colour answered predictions that second — what it answered
 * (`predictions`: labels, confidence histogram, unparseable answers;
 * contract/labels.ts). A bucket without `predictions` (an older isolate's, or
 * a second with only failed attempts) counted none.
 */
export const ColorCountsSchema = z
  .object({
    requests: count,
    errors: z.object({ http5xx: count, timeout: count, connect: count }),
    latency: z.array(count).check(z.length(HISTOGRAM_LENGTH)),
    predictions: z.optional(LabelCountsSchema),
  })
  .check(
    z.refine((c) => c.errors.http5xx + c.errors.timeout + c.errors.connect <= c.requests, {
      message: "errors exceed requests",
    }),
  );
export type ColorCounts = z.infer<typeof ColorCountsSchema>;

/** One reported bucket: `second` is the Unix time in whole seconds at which the outcomes were observed. */
export const SecondBucketSchema = z.object({
  second: count,
  color: Color,
  counts: ColorCountsSchema,
});
export type SecondBucket = z.infer<typeof SecondBucketSchema>;

const envelope = {
  /** Random id of the reporting isolate (for debugging, not for auth). */
  isolateId: z.string().check(z.maxLength(100)),
};
const MAX_REPORT_BUCKETS = 10_000;

/** A report as an isolate sends it. */
export const TelemetryReportSchema = z.object({
  ...envelope,
  buckets: z.array(SecondBucketSchema).check(z.maxLength(MAX_REPORT_BUCKETS)),
});
export type TelemetryReport = z.infer<typeof TelemetryReportSchema>;

/**
 * What the controller checks of a report before it counts anything: the
 * envelope. Each bucket is checked on its own and a bad one dropped (the
 * rest of the report still counts).
 */
export const TelemetryEnvelopeSchema = z.object({
  ...envelope,
  buckets: z.array(z.unknown()).check(z.maxLength(MAX_REPORT_BUCKETS)),
});
export type TelemetryEnvelope = z.infer<typeof TelemetryEnvelopeSchema>;

/** Index of the histogram bucket that holds `ms`. */
export function latencyBucket(ms: number): number {
  const i = LATENCY_BUCKETS_MS.findIndex((upper) => ms <= upper);
  return i === -1 ? LATENCY_BUCKETS_MS.length : i;
}

/** An all-zero ColorCounts. */
export function emptyCounts(): ColorCounts {
  return {
    requests: 0,
    errors: { http5xx: 0, timeout: 0, connect: 0 },
    latency: new Array<number>(HISTOGRAM_LENGTH).fill(0),
  };
}
