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
 * What the router's shadow mirror (worker/src/shadow/) saw of the standby in
 * one second, on the standby colour's bucket: mirrors sent, dropped over
 * SHADOW_MAX_IN_FLIGHT, the standby's failures by class and its other
 * non-2xx answers, the items compared (the active's item was a valid
 * prediction) and how many had the same label, the items where both
 * reported a confidence with the sum of |Δconfidence| in millionths (whole
 * numbers, so relays and the controller add them exactly), and the latency
 * histograms of the active's answer and the standby's over the same mirrored
 * requests. Never counted in a colour's serving windows.
 */
export const ShadowCountsSchema = z
  .object({
    sent: count,
    dropped: count,
    errors: z.object({ http5xx: count, timeout: count, connect: count }),
    otherStatus: count,
    compared: count,
    agreed: count,
    unparseable: count,
    confidencePairs: count,
    confidenceDeltaMicros: count,
    activeLatency: z.array(count).check(z.length(HISTOGRAM_LENGTH)),
    standbyLatency: z.array(count).check(z.length(HISTOGRAM_LENGTH)),
  })
  .check(
    z.refine((s) => s.agreed <= s.compared && s.unparseable <= s.compared && s.errors.http5xx + s.errors.timeout + s.errors.connect + s.otherStatus <= s.sent, {
      message: "shadow counts do not add up",
    }),
  );
export type ShadowCounts = z.infer<typeof ShadowCountsSchema>;

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
    /** Set on the standby's bucket while it is shadowed: the mirror's comparisons (not counted in `requests`). */
    shadow: z.optional(ShadowCountsSchema),
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

/** All-zero ShadowCounts. */
export function emptyShadowCounts(): ShadowCounts {
  return {
    sent: 0,
    dropped: 0,
    errors: { http5xx: 0, timeout: 0, connect: 0 },
    otherStatus: 0,
    compared: 0,
    agreed: 0,
    unparseable: 0,
    confidencePairs: 0,
    confidenceDeltaMicros: 0,
    activeLatency: new Array<number>(HISTOGRAM_LENGTH).fill(0),
    standbyLatency: new Array<number>(HISTOGRAM_LENGTH).fill(0),
  };
}

/** Adds `from` into `into` (every field is a count: the sum is exact in any order). */
export function addShadowCounts(into: ShadowCounts, from: ShadowCounts): void {
  into.sent += from.sent;
  into.dropped += from.dropped;
  into.errors.http5xx += from.errors.http5xx;
  into.errors.timeout += from.errors.timeout;
  into.errors.connect += from.errors.connect;
  into.otherStatus += from.otherStatus;
  into.compared += from.compared;
  into.agreed += from.agreed;
  into.unparseable += from.unparseable;
  into.confidencePairs += from.confidencePairs;
  into.confidenceDeltaMicros += from.confidenceDeltaMicros;
  for (let i = 0; i < from.activeLatency.length; i++) into.activeLatency[i]! += from.activeLatency[i]!;
  for (let i = 0; i < from.standbyLatency.length; i++) into.standbyLatency[i]! += from.standbyLatency[i]!;
}

/** An all-zero ColorCounts. */
export function emptyCounts(): ColorCounts {
  return {
    requests: 0,
    errors: { http5xx: 0, timeout: 0, connect: 0 },
    latency: new Array<number>(HISTOGRAM_LENGTH).fill(0),
  };
}
