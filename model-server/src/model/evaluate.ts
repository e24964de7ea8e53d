/**
 * Scores a model in process against labelled examples, with the contract's
 * scoring (contract/scoring.ts) — the same code `bluegreen validate` scores
 * predictions it got over HTTP with.
 */
import type { Label } from "../../../contract/prediction.js";
import { scorePredictions, type Evaluation } from "../../../contract/scoring.js";
import type { ModelOutput } from "./types.js";

/** Runs `model` on every example and scores it; also returns each prediction, in order. */
export function evaluate(
  model: { predict(text: string): ModelOutput },
  examples: ReadonlyArray<{ text: string; label: Label }>,
): Evaluation & { predictions: Label[] } {
  const predictions = examples.map((e) => model.predict(e.text).prediction);
  return { ...scorePredictions(examples.map((e) => e.label), predictions), predictions };
}
