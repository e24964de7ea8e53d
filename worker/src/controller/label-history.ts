/**
 * Per-minute label counts per colour over the last MAX_BASELINE_MINUTES (60)
 * minutes, fed by the same isolate reports as the metric windows: what a
 * flip freezes as the bake's baseline (baseline.ts), since the windows keep
 * only the last SLOW_WINDOW_SECONDS. One ring per colour with a slot per
 * minute fixes memory and storage; time is always passed in, which keeps
 * this pure. Serializes to plain JSON for the Durable Object's
 * `label_history` key (docs/storage.md).
 */
import * as z from "zod/mini";
import { COLORS, type Color } from "../../../contract/colors.js";
import { addLabelCounts, cloneLabelCounts, emptyLabelCounts, LabelCountsSchema, type LabelCounts } from "../../../contract/labels.js";
import { MAX_BASELINE_MINUTES } from "../../../contract/policy.js";
import { SecondBucketSchema, type TelemetryEnvelope } from "../../../contract/telemetry.js";
import { ColorRing } from "./color-ring.js";

/** Slots per colour: one per minute. */
export const LABEL_HISTORY_MINUTES = MAX_BASELINE_MINUTES;

const StoredMinute = z.object({ minute: z.int().check(z.minimum(0)), counts: LabelCountsSchema });
const StoredRing = z.array(StoredMinute).check(z.maxLength(LABEL_HISTORY_MINUTES));

/** The persisted form (toJSON/fromJSON); only non-empty minutes, oldest first. `minute` is Unix seconds / 60, floored. */
export const LabelHistoryJSONSchema = z.object({
  version: z.literal(1),
  colors: z.object({ blue: StoredRing, green: StoredRing }),
});
export type LabelHistoryJSON = z.infer<typeof LabelHistoryJSONSchema>;

/** What a span of the history holds: the counts, and the minutes (inclusive) it covered. */
export interface LabelSpan {
  counts: LabelCounts;
  fromMinute: number;
  toMinute: number;
}

/** Per-colour rings of one-minute label counts. */
export class LabelHistory {
  readonly #ring = new ColorRing<LabelCounts>(LABEL_HISTORY_MINUTES, { fresh: cloneLabelCounts, merge: addLabelCounts });

  /**
   * Counts the predictions of a report's buckets at controller time
   * `nowSeconds`: a second in the future (isolate clock ahead) counts now;
   * one older than the history, malformed, or without predictions is
   * skipped. Answers how many buckets were counted.
   */
  addReport(report: Pick<TelemetryEnvelope, "buckets">, nowSeconds: number): number {
    const now = Math.floor(nowSeconds);
    let added = 0;
    for (const raw of report.buckets) {
      const parsed = SecondBucketSchema.safeParse(raw);
      if (!parsed.success || parsed.data.counts.predictions === undefined) continue;
      const minute = Math.floor(Math.min(parsed.data.second, now) / 60);
      if (this.#ring.place(parsed.data.color, minute, Math.floor(now / 60), parsed.data.counts.predictions)) added++;
    }
    return added;
  }

  /** `color`'s predictions over the last `minutes` minute slots up to `nowSeconds` (the current, still filling minute included). */
  span(color: Color, nowSeconds: number, minutes: number): LabelSpan {
    const toMinute = Math.floor(Math.floor(nowSeconds) / 60);
    const fromMinute = toMinute - Math.min(Math.max(1, Math.floor(minutes)), LABEL_HISTORY_MINUTES) + 1;
    const counts = emptyLabelCounts();
    for (const { key, value } of this.#ring.entries(color)) if (key >= fromMinute && key <= toMinute) addLabelCounts(counts, value);
    return { counts, fromMinute, toMinute };
  }

  /** Plain-JSON form for storage; only non-empty minutes, oldest first. */
  toJSON(): LabelHistoryJSON {
    const minutes = (c: Color) => this.#ring.entries(c).map(({ key, value }) => ({ minute: key, counts: cloneLabelCounts(value) }));
    return { version: 1, colors: { blue: minutes("blue"), green: minutes("green") } };
  }

  /** Rebuilds from toJSON output; throws on malformed input. */
  static fromJSON(json: unknown): LabelHistory {
    const parsed = LabelHistoryJSONSchema.safeParse(json);
    if (!parsed.success) throw new TypeError(`stored label history is invalid: ${z.prettifyError(parsed.error)}`);
    const history = new LabelHistory();
    for (const color of COLORS) {
      for (const slot of parsed.data.colors[color]) history.#ring.place(color, slot.minute, Infinity, slot.counts);
    }
    return history;
  }
}
