/**
 * The bake's baseline (docs/rollback-policy.md "Prediction drift"): at each
 * flip the controller freezes what the outgoing colour answered over its
 * last BASELINE_MINUTES — the label mix the new colour is compared with
 * while it bakes — and stores it with the flip (storage key `baseline`, and
 * the flip's history row). Pure: the label history and the time are passed
 * in. Whether it holds enough predictions to judge by (MIN_BASELINE_PREDICTIONS)
 * is decided when it is used, with the policy then in force.
 */
import * as z from "zod/mini";
import { Color } from "../../../contract/colors.js";
import type { Metrics } from "../../../contract/history.js";
import { LabelCountsSchema, predictionTotal, type LabelCounts } from "../../../contract/labels.js";
import type { RolloutPolicy } from "../../../contract/policy.js";
import type { LabelHistory } from "./label-history.js";

/** A frozen baseline, as stored under `baseline`. */
export const BaselineSchema = z.object({
  version: z.literal(1),
  /** The epoch of the flip it was frozen at: it belongs to that bake only. */
  epoch: z.int().check(z.minimum(0)),
  /** The colour whose answers it holds (the one the flip left). */
  color: Color,
  /** Unix ms of the flip. */
  frozenAt: z.number(),
  /** BASELINE_MINUTES at the flip, and the minutes (Unix seconds / 60) it covered, inclusive. */
  minutes: z.int().check(z.minimum(1)),
  fromMinute: z.int(),
  toMinute: z.int(),
  counts: LabelCountsSchema,
});
export type Baseline = z.infer<typeof BaselineSchema>;

/** The baseline a flip at `nowMs` to epoch `epoch` freezes: `color`'s answers over its last BASELINE_MINUTES. */
export function freezeBaseline(history: LabelHistory, color: Color, epoch: number, nowMs: number, policy: Pick<RolloutPolicy, "baselineMinutes">): Baseline {
  const span = history.span(color, nowMs / 1000, policy.baselineMinutes);
  return { version: 1, epoch, color, frozenAt: nowMs, minutes: policy.baselineMinutes, fromMinute: span.fromMinute, toMinute: span.toMinute, counts: span.counts };
}

/** Every category of a label mix, largest first: the named labels, then `other` and `unparseable` when they hold any. */
export function categories(counts: LabelCounts): Array<{ label: string; count: number }> {
  const out = counts.labels.map(([label, count]) => ({ label, count }));
  out.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  if (counts.other > 0) out.push({ label: "(other)", count: counts.other });
  if (counts.unparseable > 0) out.push({ label: "(unparseable)", count: counts.unparseable });
  return out;
}

/** "neutral 46.5%, positive 33.6%, negative 19.9%" (at most `top` categories, then "…"). */
export function sharesText(counts: LabelCounts, top = 5): string {
  const total = predictionTotal(counts);
  if (total === 0) return "no predictions";
  const list = categories(counts);
  const shown = list.slice(0, top).map((c) => `${c.label} ${((100 * c.count) / total).toFixed(1)}%`);
  return list.length > top ? `${shown.join(", ")}, …` : shown.join(", ");
}

/** The baseline's figures recorded with its flip in the history (flat, as `metrics` holds them). */
export function baselineFigures(b: Baseline, policy: Pick<RolloutPolicy, "minBaselinePredictions">): Metrics {
  const predictions = predictionTotal(b.counts);
  return {
    baselineColor: b.color,
    baselineMinutes: b.minutes,
    baselinePredictions: predictions,
    baselineEnough: predictions >= policy.minBaselinePredictions,
    baselineShares: sharesText(b.counts),
  };
}
