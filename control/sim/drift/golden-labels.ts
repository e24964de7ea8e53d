/**
 * The golden set's per-text predictions of the shipped models v1 and v2,
 * computed with the real models in process (as `npm run models:accuracy`
 * does): what the drift simulation replays as traffic.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LABELS, type Label } from "../../../contract/prediction.js";
import { defaultModelDir, evaluate, loadModel, readGoldenSet } from "../../../model-server/index.js";

/** The shipped golden set. */
export const GOLDEN_SET_FILE = fileURLToPath(new URL("../../../model-server/golden/sentiment.jsonl", import.meta.url));

/** Each model's answer per golden text, in the golden set's order. */
export interface GoldenLabels {
  file: string;
  texts: number;
  v1: Label[];
  v2: Label[];
}

/** Loads sentiment/v1 and sentiment/v2 and answers every golden text with each. */
export async function goldenLabels(file = GOLDEN_SET_FILE): Promise<GoldenLabels> {
  const examples = await readGoldenSet(file);
  const answer = async (version: string) => evaluate(await loadModel(path.join(defaultModelDir(), "sentiment", version)), examples).predictions;
  const [v1, v2] = await Promise.all([answer("v1"), answer("v2")]);
  return { file, texts: examples.length, v1, v2 };
}

/** Label counts of one model's answers, in LABELS order. */
export function labelCounts(labels: readonly Label[]): Record<Label, number> {
  const out = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, number>;
  for (const l of labels) out[l]++;
  return out;
}
