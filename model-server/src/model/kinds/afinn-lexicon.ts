/**
 * Kind `afinn-lexicon`: a bag-of-words lexicon model. The score is the sum of
 * the valences (AFINN: integers -5..+5) of the words of the text; no
 * negation, no intensifiers, no emoji — "not good" scores like "good".
 *
 * Files: `lexicon.tsv` (word → valence) and `params.json` (see AfinnParams).
 */
import { z } from "zod";
import type { ModelOutput } from "../types.js";
import { type ArtifactFiles, jsonFile, lexiconFile } from "./artifact-files.js";

export const AFINN_FILES = { lexicon: "lexicon.tsv", params: "params.json" } as const;

export const AfinnParams = z.strictObject({
  /** |score| ≤ neutralBand is neutral (AFINN scores are integers, so 0 means "exactly zero"). */
  neutralBand: z.number().nonnegative(),
  /** Squashes a score magnitude m into 0..1 as m / sqrt(m² + alpha). */
  confidenceAlpha: z.number().positive(),
});
export type AfinnParams = z.infer<typeof AfinnParams>;

// Words: letters/digits, with inner apostrophes or hyphens ("don't", "well-being").
const WORD = /[\p{L}\p{N}]+(?:['-][\p{L}\p{N}]+)*/gu;

/** Lowercase word tokens of a text, as the AFINN lexicon is keyed. */
export function afinnTokens(text: string): string[] {
  return text.normalize("NFKC").toLowerCase().replace(/[\u2018\u2019`]/g, "'").match(WORD) ?? [];
}

/** Sums of positive and negative valences of a text's words (a hyphenated word not in the lexicon counts as its parts). */
export function afinnScore(lexicon: ReadonlyMap<string, number>, text: string): { positive: number; negative: number } {
  let positive = 0;
  let negative = 0;
  const add = (v: number) => {
    if (v > 0) positive += v;
    else negative -= v;
  };
  for (const token of afinnTokens(text)) {
    const v = lexicon.get(token);
    if (v !== undefined) add(v);
    else if (token.includes("-")) for (const part of token.split("-")) add(lexicon.get(part) ?? 0);
  }
  return { positive, negative };
}

/** Label and confidence from the positive/negative valence sums. */
export function afinnOutput(params: AfinnParams, positive: number, negative: number): ModelOutput {
  const squash = (m: number) => m / Math.sqrt(m * m + params.confidenceAlpha);
  const score = positive - negative;
  if (score > params.neutralBand) return { prediction: "positive", confidence: 0.5 + 0.5 * squash(score) };
  if (score < -params.neutralBand) return { prediction: "negative", confidence: 0.5 + 0.5 * squash(-score) };
  // Neutral: sure when no sentiment words were seen, less so when strong words cancelled out.
  return { prediction: "neutral", confidence: 1 - 0.5 * squash(positive + negative) };
}

/** Builds the predict function of an `afinn-lexicon` artifact. */
export function buildAfinnLexicon(files: ArtifactFiles): (text: string) => ModelOutput {
  const lexicon = lexiconFile(files, AFINN_FILES.lexicon);
  const params = jsonFile(files, AFINN_FILES.params, AfinnParams);
  return (text) => {
    const { positive, negative } = afinnScore(lexicon, text);
    return afinnOutput(params, positive, negative);
  };
}
