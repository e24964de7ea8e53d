/**
 * What crosses the hops of the relayed protocol (docs/scale.md):
 *
 *   isolate ──sync──▶ relay (one per location and shard) ──forward──▶ controller
 *   controller ──push──▶ relay (on every change of the routing state)
 *
 * The schemas are checked where each message is received: the relay checks
 * an isolate's sync and the controller's answers, the controller a relay's
 * forward, the isolate the relay's answer. A batch's buckets are checked one
 * by one, so a bad bucket is dropped (and logged) and the rest still count,
 * as in the controller's report(); a bad envelope is the caller's bug.
 */
import * as z from "zod/mini";
import { RoutingStateSchema } from "../../../contract/routing.js";
import { SecondBucketSchema, type SecondBucket } from "../../../contract/telemetry.js";
import { RELAY_NAME_PATTERN } from "./relay-name.js";

/** At most this many batches in one call: a sender keeps them ≤ MAX_BUFFER_AGE_MS (120 s), ≤ 4 a second. */
const MAX_BATCHES = 1_000;
/** At most this many buckets in one batch (as a TelemetryReport). */
const MAX_BATCH_BUCKETS = 10_000;

const seq = z.int().check(z.gte(1));
const whole = z.int().check(z.nonnegative());

function batchOf<B extends z.core.$ZodType>(bucket: B) {
  return z.object({ seq, buckets: z.array(bucket).check(z.maxLength(MAX_BATCH_BUCKETS)) });
}
/** One numbered batch of per-second buckets (report-batches.ts). */
const SequencedBatchSchema = batchOf(SecondBucketSchema);
/** The same on the wire, its buckets not yet checked. */
const BatchEnvelope = batchOf(z.unknown());

function isolateSync<B extends z.core.$ZodType>(batch: B) {
  return z.object({
    /** Random id of the isolate (for sequencing and shard choice, not for auth). */
    isolateId: z.string().check(z.minLength(1), z.maxLength(100)),
    batches: z.array(batch).check(z.maxLength(MAX_BATCHES)),
  });
}
/** An isolate's call to its relay: its unacknowledged batches (maybe none: a refresh). */
export const IsolateSyncSchema = isolateSync(SequencedBatchSchema);
export type IsolateSync = z.infer<typeof IsolateSyncSchema>;
/** An isolate's sync as the relay receives it. */
export const IsolateSyncEnvelope = isolateSync(BatchEnvelope);

/** The relay's answer to an isolate. */
export const RelayAnswerSchema = z.object({
  /** The relay's routing state; null while a new relay has not heard from the controller yet (the isolate keeps its own). */
  state: z.nullable(RoutingStateSchema),
  /** The highest batch number of this isolate the relay has taken. */
  ackSeq: whole,
  /** Relays in the isolate's location as the controller last said; null while the relay does not know. */
  shards: z.nullable(z.int().check(z.gte(1))),
});
export type RelayAnswer = z.infer<typeof RelayAnswerSchema>;

function relayForward<B extends z.core.$ZodType>(batch: B) {
  return z.object({
    /** The relay's Durable Object name (relayName): where the controller pushes changes. */
    relay: z.string().check(z.regex(RELAY_NAME_PATTERN)),
    /** Random id of this relay instance: a restarted relay numbers its batches from 1 again. */
    incarnation: z.string().check(z.minLength(1), z.maxLength(64)),
    colo: z.string().check(z.minLength(1), z.maxLength(16)),
    batches: z.array(batch).check(z.maxLength(MAX_BATCHES)),
    /** Isolates that synced with this relay recently (ISOLATE_ACTIVE_MS): the controller sizes the location's shards from them. */
    isolates: whole,
  });
}
/** A relay's call to the controller: its merged, numbered batches (maybe none: a refresh). */
export const RelayForwardSchema = relayForward(SequencedBatchSchema);
export type RelayForward = z.infer<typeof RelayForwardSchema>;
/** A relay's forward as the controller receives it (the windows check each bucket). */
export const RelayForwardEnvelope = relayForward(BatchEnvelope);

/** The controller's answer to a relay: the state plus the relay's schedule. */
export const ForwardAnswerSchema = z.object({
  state: RoutingStateSchema,
  /** The highest batch number of this relay instance the controller has taken. */
  ackSeq: whole,
  /** When the relay should forward next (backpressure: the controller keeps its own call rate near TARGET_FORWARDS_PER_SECOND). */
  forwardIntervalMs: whole,
  /** A relay forwards early when the active colour's pending error rate is above this (the policy's MAX_ERROR_RATE). */
  earlyErrorRate: z.number().check(z.gte(0), z.lte(1)),
  /** Relays the relay's location should use. */
  shards: z.int().check(z.gte(1)),
});
export type ForwardAnswer = z.infer<typeof ForwardAnswerSchema>;

/** Keeps the buckets that read as SecondBuckets; answers them and how many were dropped. */
export function checkedBuckets(buckets: readonly unknown[]): { buckets: SecondBucket[]; invalid: number } {
  const out: SecondBucket[] = [];
  for (const b of buckets) {
    const parsed = SecondBucketSchema.safeParse(b);
    if (parsed.success) out.push(parsed.data);
  }
  return { buckets: out, invalid: buckets.length - out.length };
}
