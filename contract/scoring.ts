/**
 * Scoring predicted labels against labelled examples: accuracy, per-label
 * precision / recall / F1, the confusion matrix, and the agreement rate of
 * two models. Pure functions over labels, shared by the model tooling
 * (which runs a model in process) and `bluegreen validate`'s quality gate
 * (which gets the predictions over HTTP). A prediction is any string (the
 * origin contract asks no more); one that is none of `LABELS` is wrong.
 */
import { LABELS, type Label } from "./prediction.js";

export interface LabelMetrics {
  /** Of the texts predicted as this label, the share that had it (0 when none was predicted). */
  precision: number;
  /** Of the texts with this label, the share predicted as it (0 when there were none). */
  recall: number;
  f1: number;
  /** Examples that have this label. */
  support: number;
  /** Examples predicted as this label. */
  predicted: number;
}

/** confusion[actual][predicted] = count. */
export type ConfusionMatrix = Record<Label, Record<Label, number>>;

export interface Evaluation {
  examples: number;
  correct: number;
  accuracy: number;
  /** Unweighted mean of the per-label F1 scores. */
  macroF1: number;
  perLabel: Record<Label, LabelMetrics>;
  confusion: ConfusionMatrix;
  /** Predictions that are none of `LABELS` (all wrong; in no column of the confusion matrix). */
  unlabelled: number;
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

/** Scores predicted labels against actual ones (same order, same length, at least one). */
export function scorePredictions(actual: readonly Label[], predicted: readonly string[]): Evaluation {
  if (actual.length !== predicted.length) throw new RangeError(`${actual.length} labels but ${predicted.length} predictions`);
  if (actual.length === 0) throw new RangeError("cannot score zero examples");
  const confusion = Object.fromEntries(
    LABELS.map((a) => [a, Object.fromEntries(LABELS.map((p) => [p, 0]))]),
  ) as ConfusionMatrix;
  let unlabelled = 0;
  actual.forEach((a, i) => {
    const p = predicted[i]!;
    if (isLabel(p)) confusion[a][p] += 1;
    else unlabelled += 1;
  });
  const correct = LABELS.reduce((n, l) => n + confusion[l][l], 0);
  const perLabel = Object.fromEntries(
    LABELS.map((l) => {
      const support = actual.filter((a) => a === l).length;
      const predictedAs = LABELS.reduce((n, a) => n + confusion[a][l], 0);
      const precision = ratio(confusion[l][l], predictedAs);
      const recall = ratio(confusion[l][l], support);
      const f1 = ratio(2 * precision * recall, precision + recall);
      return [l, { precision, recall, f1, support, predicted: predictedAs }];
    }),
  ) as Record<Label, LabelMetrics>;
  return {
    examples: actual.length,
    correct,
    accuracy: correct / actual.length,
    macroF1: LABELS.reduce((s, l) => s + perLabel[l].f1, 0) / LABELS.length,
    perLabel,
    confusion,
    unlabelled,
  };
}

function isLabel(s: string): s is Label {
  return (LABELS as readonly string[]).includes(s);
}

/** Share of positions where two models predicted the same label. */
export function agreementRate(a: readonly string[], b: readonly string[]): number {
  if (a.length !== b.length) throw new RangeError(`${a.length} predictions vs ${b.length}`);
  if (a.length === 0) throw new RangeError("cannot compare zero predictions");
  return a.filter((l, i) => l === b[i]).length / a.length;
}
