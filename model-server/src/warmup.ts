/**
 * Warm-up before /ready turns 200: a few predictions through the loaded model
 * (so first requests do not pay for lazy initialisation and JIT), each
 * checked against the response schema so a broken model is caught at start.
 */
import { SentimentPrediction } from "../../contract/prediction.js";
import type { SentimentModel } from "./model/types.js";

const WARMUP_TEXTS = [
  "I love this, it works great!",
  "This is terrible and I hate it.",
  "The package arrived on Tuesday.",
  "Not bad at all, but not great either.",
];
const WARMUP_ROUNDS = 5;

/** Raised when a warm-up prediction is not a valid answer. */
export class WarmupError extends Error {
  override name = "WarmupError";
}

/** Runs the warm-up predictions; throws WarmupError on an invalid output. */
export function warmUp(model: SentimentModel): { predictions: number } {
  let predictions = 0;
  for (let round = 0; round < WARMUP_ROUNDS; round++) {
    for (const text of WARMUP_TEXTS) {
      const out = model.predict(text);
      const parsed = SentimentPrediction.safeParse({ ...out, model_version: model.version });
      if (!parsed.success) {
        throw new WarmupError(`model ${model.name}/${model.version} gave an invalid prediction during warm-up: ${parsed.error.message}`);
      }
      predictions += 1;
    }
  }
  return { predictions };
}
