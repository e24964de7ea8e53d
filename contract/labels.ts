/**
 * What the models answer, counted: the label of each prediction an origin
 * gave, with a coarse histogram of its confidence, and the answers that were
 * not valid per the origin contract (`unparseable`). The router counts these
 * per colour and second in its telemetry (contract/telemetry.ts), the
 * controller keeps them in its windows and per-minute history, and the
 * prediction-drift rule compares them (docs/rollback-policy.md "Prediction
 * drift").
 *
 * Two parts, for every reader of answers (the router's counting today, shadow
 * traffic's comparison next):
 * - reading: `answerLabels` turns a /predict or /predict/batch answer into one
 *   label (and confidence) per item, or `null` for an item that is not a
 *   valid `Prediction` (contract/prediction.ts), with the schema as the last
 *   word;
 * - counting: `LabelCounts`, with the label cap — at most MAX_TRACKED_LABELS
 *   distinct labels of at most MAX_LABEL_CHARS characters; any other label
 *   counts as `other` — so an open label set costs bounded memory, report
 *   and storage, whatever a model answers.
 *
 * Labels are kept as `[label, count]` pairs, not as an object's keys: a label
 * is the origin's text, and "__proto__" must count like any other.
 */
import * as z from "zod/mini";
import { Prediction } from "./prediction.js";
import "./zod-messages.js";

/** Distinct labels counted in one LabelCounts; every further label counts as `other`. */
export const MAX_TRACKED_LABELS = 32;
/** Longest label counted by name; a longer one is `other` (a label names a class: it is never a text). */
export const MAX_LABEL_CHARS = 64;
/** Bins of the confidence histogram: [0, 0.1), [0.1, 0.2), …, [0.9, 1]. */
export const CONFIDENCE_BINS = 10;

const count = z.int().check(z.minimum(0));
const LabelText = z.string().check(z.minLength(1), z.maxLength(MAX_LABEL_CHARS));

/**
 * Predictions of one colour over some time: per label (at most
 * MAX_TRACKED_LABELS, each named once), the rest as `other`, the answers that
 * were not valid per the contract as `unparseable`, and the confidence
 * histogram of the labelled ones that reported a confidence.
 */
export const LabelCountsSchema = z.object({
  labels: z
    .array(z.tuple([LabelText, count]))
    .check(
      z.maxLength(MAX_TRACKED_LABELS),
      z.refine((pairs) => new Set(pairs.map((p) => p[0])).size === pairs.length, { message: "a label is listed twice" }),
    ),
  other: count,
  unparseable: count,
  confidence: z.array(count).check(z.length(CONFIDENCE_BINS)),
});
export type LabelCounts = z.infer<typeof LabelCountsSchema>;

/** Nothing counted yet. */
export function emptyLabelCounts(): LabelCounts {
  return { labels: [], other: 0, unparseable: 0, confidence: new Array<number>(CONFIDENCE_BINS).fill(0) };
}

/** The confidence bin of `c` (0..1). */
export function confidenceBin(c: number): number {
  return Math.min(CONFIDENCE_BINS - 1, Math.max(0, Math.floor(c * CONFIDENCE_BINS)));
}

// Adds `n` to `label`, under the cap.
function addLabel(into: LabelCounts, label: string, n: number): void {
  const pairs = into.labels;
  // A linear scan: a model has a handful of labels, and there are never more than MAX_TRACKED_LABELS.
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    if (pair[0] === label) {
      pair[1] += n;
      return;
    }
  }
  if (pairs.length < MAX_TRACKED_LABELS && label.length <= MAX_LABEL_CHARS) pairs.push([label, n]);
  else into.other += n;
}

/** Counts one prediction: its label (or `other`, past the cap) and, when given, its confidence. */
export function countLabel(into: LabelCounts, label: string, confidence?: number): void {
  addLabel(into, label, 1);
  if (confidence !== undefined) into.confidence[confidenceBin(confidence)]! += 1;
}

/** Counts what answerLabels read: each label, and each `null` as unparseable. */
export function countAnswer(into: LabelCounts, items: readonly (LabelRead | null)[]): void {
  for (const item of items) {
    if (item === null) into.unparseable += 1;
    else countLabel(into, item.label, item.confidence);
  }
}

/** Adds `from` into `into`; a label beyond the cap joins `other`. */
export function addLabelCounts(into: LabelCounts, from: LabelCounts): void {
  for (const [label, n] of from.labels) addLabel(into, label, n);
  into.other += from.other;
  into.unparseable += from.unparseable;
  for (let i = 0; i < CONFIDENCE_BINS; i++) into.confidence[i]! += from.confidence[i] ?? 0;
}

/** A deep copy. */
export function cloneLabelCounts(c: LabelCounts): LabelCounts {
  return { labels: c.labels.map(([l, n]) => [l, n]), other: c.other, unparseable: c.unparseable, confidence: [...c.confidence] };
}

/** Predictions with a label (named or `other`). */
export function labelledTotal(c: LabelCounts): number {
  let n = c.other;
  for (const pair of c.labels) n += pair[1];
  return n;
}

/** Every prediction counted: labelled ones and unparseable ones. */
export function predictionTotal(c: LabelCounts): number {
  return labelledTotal(c) + c.unparseable;
}

// ── reading answers ────────────────────────────────────────────────────

/** One valid prediction's label, and its confidence when it reported one. */
export interface LabelRead {
  label: string;
  confidence: number | undefined;
}

/** The answer routes whose answers carry predictions: one (`/predict`) or a list (`/predict/batch`). */
export type AnswerKind = "single" | "batch";

function isShare(v: unknown): v is number {
  return typeof v === "number" && v >= 0 && v <= 1;
}

/** `value` as a valid Prediction's label by the contract's rules, checked without zod (the router's hot path); null: ask the schema. */
function readFast(value: unknown): LabelRead | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const o = value as { prediction?: unknown; model_version?: unknown; confidence?: unknown };
  const label = o.prediction;
  const version = o.model_version;
  const confidence = o.confidence;
  if (typeof label !== "string" || label.length === 0 || typeof version !== "string" || version.length === 0) return null;
  if (confidence !== undefined && !isShare(confidence)) return null;
  return { label, confidence };
}

/** One item: the fast check's reading, else the schema's verdict (the contract has the last word). */
function readItem(value: unknown): LabelRead | null {
  const fast = readFast(value);
  if (fast !== null) return fast;
  const parsed = Prediction.safeParse(value);
  return parsed.success ? { label: parsed.data.prediction, confidence: parsed.data.confidence } : null;
}

/**
 * The labels of a 2xx answer's JSON value (already parsed; pass `undefined`
 * for a body that was not JSON): one per expected item, `null` for each that
 * is not a valid Prediction. A single answer is one item. A batch answer
 * whose envelope is not BatchResponse's `{"predictions": [...]}` with
 * `expected` items (one per text) is `expected` nulls; otherwise each item
 * is read on its own.
 */
export function answerLabels(kind: AnswerKind, value: unknown, expected: number): (LabelRead | null)[] {
  if (kind === "single") return [readItem(value)];
  // The envelope of BatchResponse: an object whose `predictions` is an array (one item per text, in order).
  const list = typeof value === "object" && value !== null && !Array.isArray(value) ? (value as { predictions?: unknown }).predictions : undefined;
  if (!Array.isArray(list) || list.length !== expected) return new Array<null>(expected).fill(null);
  return list.map(readItem);
}

/** JSON.parse of an answer's text, or undefined when it is not JSON. */
export function parseAnswerJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
