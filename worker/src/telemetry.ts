/**
 * Per-isolate outcome counters (docs/architecture.md "Router"): requests, errors
 * by class, a latency histogram and the answered predictions' labels per
 * colour, grouped by wall-clock second in the TelemetryReport shape, and the
 * rule for when to send them to the DeploymentController. Never one
 * controller call per request.
 */
import type { Color } from "../../contract/colors.js";
import { countAnswer, emptyLabelCounts, type LabelRead } from "../../contract/labels.js";
import { emptyCounts, emptyShadowCounts, latencyBucket, type ColorCounts, type ErrorClass, type SecondBucket, type ShadowCounts } from "../../contract/telemetry.js";
import { addCounts } from "./relay/bucket-merge.js";

/** A pending-error batch is sent early once this many requests were served since the last sync. */
export const EARLY_FLUSH_SERVED = 50;
/** …or once this many failed attempts are pending, so a colour failing at a low request rate is reported as it fails. */
export const EARLY_FLUSH_ERRORS = 5;
/** Early (error) syncs are at least this far apart: at most 4 a second per isolate while a colour fails. */
export const EARLY_FLUSH_MIN_GAP_MS = 250;
/** Buckets older than this are dropped if the controller stays unreachable. */
export const MAX_BUFFER_AGE_MS = 120_000;

/** One origin attempt. */
export interface Outcome {
  color: Color;
  latencyMs: number;
  error: ErrorClass | null;
}

/** What a sync takes out of the buffer (and gives back if the sync fails). */
export interface Batch {
  buckets: SecondBucket[];
  served: number;
  errors: number;
}

/** Outcome counters of one isolate for one deployment. */
export class TelemetryBuffer {
  #buckets = new Map<number, SecondBucket>();
  // The current second's buckets, so that an attempt within it is counted without a Math.floor or a Map lookup.
  #currentFromMs = 0;
  #currentToMs = 0;
  #current: Partial<Record<Color, SecondBucket>> = {};
  // Answers whose labels were read in the current second, per colour (LABEL_MAX_PER_SECOND).
  #labelled: Record<Color, number> = { blue: 0, green: 0 };
  /** Client requests answered since the last sync (attempts may be more). */
  served = 0;
  /** Failed origin attempts since the last sync. */
  errors = 0;

  /** Counts one origin attempt. */
  record(outcome: Outcome, nowMs: number): void {
    const bucket = this.#currentBucket(outcome.color, nowMs);
    bucket.counts.requests += 1;
    bucket.counts.latency[latencyBucket(outcome.latencyMs)]! += 1;
    if (outcome.error !== null) {
      bucket.counts.errors[outcome.error] += 1;
      this.errors += 1;
    }
  }

  /** Counts the predictions of one answer `color` gave: each item's label, or an unparseable one (contract/labels.ts answerLabels). */
  recordLabels(color: Color, items: readonly (LabelRead | null)[], nowMs: number): void {
    const counts = this.#currentBucket(color, nowMs).counts;
    countAnswer((counts.predictions ??= emptyLabelCounts()), items);
  }

  /**
   * The shadow counts of `color` (the standby mirrored to) for the second of
   * `nowMs`, to count one mirror into (worker/src/shadow/mirror.ts). They
   * never touch `requests`, errors or `served`: shadow traffic steers nothing.
   */
  shadowCounts(color: Color, nowMs: number): ShadowCounts {
    return (this.#currentBucket(color, nowMs).counts.shadow ??= emptyShadowCounts());
  }

  /**
   * Whether one more answer of `color` may have its labels read in the
   * second of `nowMs` — at most `max` per second and colour — and takes that
   * slot. Past it, answers pass through unread: reading costs CPU on the hot
   * path, and the drift rule needs a fair sample, not every answer.
   */
  takeLabelSlot(color: Color, nowMs: number, max: number): boolean {
    this.#currentBucket(color, nowMs);
    const n = this.#labelled[color];
    if (n >= max) return false;
    this.#labelled[color] = n + 1;
    return true;
  }

  /**
   * Counts `counts.requests` origin attempts of one colour at once, exactly
   * as that many record() calls at `nowMs` would (the scale simulation feeds
   * aggregated traffic through it: control/sim/).
   */
  recordCounts(color: Color, counts: ColorCounts, nowMs: number): void {
    if (counts.requests === 0) return;
    addCounts(this.#bucket(Math.floor(nowMs / 1000), color).counts, counts);
    this.errors += counts.errors.http5xx + counts.errors.timeout + counts.errors.connect;
  }

  /** Counts answered client requests (for the early-flush rule): one, or `count` at once. */
  noteServed(count = 1): void {
    this.served += count;
  }

  /** True when there is anything to report. */
  get pending(): boolean {
    return this.#buckets.size > 0;
  }

  /** Empties the buffer. */
  take(): Batch {
    const batch: Batch = { buckets: [...this.#buckets.values()], served: this.served, errors: this.errors };
    this.#buckets = new Map();
    this.#current = {};
    this.served = 0;
    this.errors = 0;
    return batch;
  }

  /** Puts back what a failed sync took, dropping seconds older than MAX_BUFFER_AGE_MS. */
  restore(batch: Batch, nowMs: number): void {
    const oldest = Math.floor((nowMs - MAX_BUFFER_AGE_MS) / 1000);
    for (const b of batch.buckets) {
      if (b.second < oldest) continue;
      addCounts(this.#bucket(b.second, b.color).counts, b.counts);
    }
    this.served += batch.served;
    this.errors += batch.errors;
  }

  // The bucket of `color` for the second of `nowMs`, kept at hand for the rest of that second.
  #currentBucket(color: Color, nowMs: number): SecondBucket {
    if (nowMs < this.#currentFromMs || nowMs >= this.#currentToMs) {
      this.#currentFromMs = Math.floor(nowMs / 1000) * 1000;
      this.#currentToMs = this.#currentFromMs + 1000;
      this.#current = {};
      this.#labelled = { blue: 0, green: 0 };
    }
    return (this.#current[color] ??= this.#bucket(this.#currentFromMs / 1000, color));
  }

  #bucket(second: number, color: Color): SecondBucket {
    // A number, not a "second:colour" string: no string per outcome (the scale simulation counts millions).
    const key = second * 2 + (color === "blue" ? 0 : 1);
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { second, color, counts: emptyCounts() };
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }
}

/** Inputs of the sync rule. */
export interface SyncClock {
  nowMs: number;
  lastSyncAtMs: number;
  flagTtlMs: number;
  reportIntervalMs: number;
}

/**
 * Why a controller sync is due now, or null. One sync both reports and
 * refreshes the routing state, so: refresh once the state is older than
 * FLAG_TTL_MS; report pending outcomes at most every REPORT_INTERVAL_MS;
 * report sooner when errors are pending and a full batch of
 * EARLY_FLUSH_SERVED requests has been served (so early syncs ≤ N/50), or
 * when EARLY_FLUSH_ERRORS failures are pending — at 10 predictions/s a
 * colour failing every one would otherwise wait up to a whole
 * REPORT_INTERVAL_MS after reaching MIN_REQUESTS — but never sooner than
 * EARLY_FLUSH_MIN_GAP_MS after the last sync.
 */
export function syncReason(clock: SyncClock, buffer: TelemetryBuffer): "refresh" | "report" | "errors" | null {
  const sinceMs = clock.nowMs - clock.lastSyncAtMs;
  if (sinceMs >= clock.flagTtlMs) return "refresh";
  if (buffer.pending && sinceMs >= clock.reportIntervalMs) return "report";
  if (buffer.errors > 0 && buffer.served >= EARLY_FLUSH_SERVED) return "errors";
  if (buffer.errors >= EARLY_FLUSH_ERRORS && sinceMs >= EARLY_FLUSH_MIN_GAP_MS) return "errors";
  return null;
}

/**
 * How long a trailing flush waits before reporting what is pending: until
 * the next request would have synced anyway (syncReason: the state's
 * FLAG_TTL_MS or the REPORT_INTERVAL_MS since the last sync, whichever comes
 * first, and not before the retry back-off), so it adds no controller call a
 * following request would not have made; at most `maxWaitMs`.
 */
export function trailingWaitMs(clock: SyncClock & { retryAtMs: number }, maxWaitMs: number): number {
  const dueAtMs = Math.max(clock.lastSyncAtMs + Math.min(clock.flagTtlMs, clock.reportIntervalMs), clock.retryAtMs);
  return Math.min(Math.max(0, dueAtMs - clock.nowMs), maxWaitMs);
}
