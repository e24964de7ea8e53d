/**
 * Kind `vader-rules`: the VADER rule model (Hutto & Gilbert, ICWSM 2014),
 * written here from the rules of the reference implementation (vaderSentiment
 * 3.3.2) over a valence lexicon and an emoji table. Each sentiment word gets
 * its lexicon valence, then:
 *   - ALL CAPS (when not everything is in caps) adds emphasis;
 *   - boosters/dampeners up to 3 words before ("very", "barely", "kind of")
 *     add or remove intensity, less with distance;
 *   - a negation up to 3 words before ("not", "isn't", "never", "without")
 *     flips and dampens it (× negationScalar); "no" negates the next words;
 *   - those 3 words stop at a clause boundary (",", ".", "!" …) and at another
 *     sentiment word, when `modifierScope` says so (see below);
 *     "least" before a word negates it, except "at least";
 *   - idioms ("the bomb", "yeah right") replace the valence of their words;
 *   - after a contrast word ("but") words weigh more, before it less;
 *   - "!" and "??" push the total away from zero.
 * The total is squashed to the compound score in -1..1.
 * Deliberate differences from 3.3.2: emoji are scored from a valence table
 * (not by translating them to words), idioms are matched as phrases anywhere,
 * edge punctuation is always stripped from words ("ok," is "ok"), and the
 * modifier scope stops early: 3.3.2 looks past a sentiment word, so a
 * negation reaches the next one too ("not good 😡" scored positive, the
 * emoji negated) and crosses commas ("Can't recommend it, sadly").
 *
 * Files: `lexicon.tsv`, `emoji.tsv`, `rules.json` (see VaderRules).
 */
import { z } from "zod";
import type { ModelOutput } from "../types.js";
import { type ArtifactFiles, jsonFile, lexiconFile } from "./artifact-files.js";
import { emojiKey, hasCapsDifferential, isAllCaps, punctuationEmphasis, type Token, vaderTokens } from "./vader-text.js";

export const VADER_FILES = { lexicon: "lexicon.tsv", emoji: "emoji.tsv", rules: "rules.json" } as const;

const Word = z.string().min(1).regex(/^\S+( \S+)*$/, { message: "words are lowercase, single-spaced" });

export const VaderRules = z.strictObject({
  negations: z.array(Word).min(1),
  negationScalar: z.number().negative(),
  /** Word or phrase → intensity added to the next sentiment words (sign follows their valence). */
  boosters: z.record(Word, z.number()),
  /** How much of a booster's effect is left 1, 2 and 3 words away. */
  boosterDecay: z.tuple([z.number(), z.number(), z.number()]),
  capsIncrement: z.number().nonnegative(),
  /** "never so good": these words after "never" make it emphasis, not negation. */
  neverEmphasis: z.strictObject({ words: z.array(Word).min(1), scalar: z.number() }),
  idioms: z.record(Word, z.number()),
  contrast: z.strictObject({ words: z.array(Word).min(1), before: z.number(), after: z.number() }),
  punctuation: z.strictObject({
    exclamationIncrement: z.number().nonnegative(),
    exclamationMax: z.number().int().nonnegative(),
    questionIncrement: z.number().nonnegative(),
    questionMaxCount: z.number().int().positive(),
    questionCap: z.number().nonnegative(),
  }),
  normalizationAlpha: z.number().positive(),
  /** Where the 3-word look-back for boosters and negations stops (both false = vaderSentiment 3.3.2). */
  modifierScope: z.strictObject({ stopAtPunctuation: z.boolean(), stopAtSentimentWord: z.boolean() }),
  /** |compound| below this is neutral. */
  neutralThreshold: z.number().positive().max(1),
});
export type VaderRules = z.infer<typeof VaderRules>;

export interface VaderData {
  lexicon: ReadonlyMap<string, number>;
  emoji: ReadonlyMap<string, number>;
  rules: VaderRules;
}

/** A compiled VADER scorer: compound score in -1..1 for a text. */
export function createVaderScorer({ lexicon, emoji, rules }: VaderData): (text: string) => number {
  const negations = new Set(rules.negations);
  const boosters = new Map(Object.entries(rules.boosters));
  const boosterPhrases = [...boosters].filter(([k]) => k.includes(" ")).map(([k, value]) => ({ words: k.split(" "), value }));
  // Phrases indexed by first / last word, so a long text is scanned once.
  const phrasesStartingWith = groupBy(boosterPhrases, (p) => p.words[0]!);
  const phrasesEndingWith = groupBy(boosterPhrases, (p) => p.words[p.words.length - 1]!);
  const idiomsStartingWith = groupBy(
    Object.entries(rules.idioms).map(([phrase, valence]) => ({ words: phrase.split(" "), valence })),
    (p) => p.words[0]!,
  );
  const neverWords = new Set(rules.neverEmphasis.words);
  const contrastWords = new Set(rules.contrast.words);

  const lookup = (raw: string, lower: string): number | undefined =>
    lexicon.get(raw) ?? lexicon.get(lower) ?? (/^[\x00-\x7f]*$/.test(raw) ? undefined : emoji.get(emojiKey(raw)));
  const isKnown = (s: string) => lookup(s, s.toLowerCase()) !== undefined;
  const isNegation = (w: string) => negations.has(w) || w.includes("n't");

  return (text) => {
    const tokens = vaderTokens(text, isKnown);
    const lower = tokens.map((t) => t.lower);
    const at = (j: number) => (j >= 0 ? (lower[j] ?? "") : "");
    const known = tokens.map((t) => lookup(t.raw, t.lower));
    const isSentimentWord = (j: number) => known[j] !== undefined;
    const capsDiff = hasCapsDifferential(tokens);
    const matchesAt = (words: readonly string[], start: number) => words.every((w, k) => at(start + k) === w);

    // Idioms override the valence of their last word and silence the others.
    const override = new Map<number, number>();
    lower.forEach((word, s) => {
      for (const { words, valence } of idiomsStartingWith.get(word) ?? []) {
        if (!matchesAt(words, s)) continue;
        for (let k = 0; k < words.length - 1; k++) override.set(s + k, 0);
        override.set(s + words.length - 1, valence);
      }
    });

    /** The booster (single word, or phrase ending at j) at position j, if any. */
    const boosterAt = (j: number): { value: number; raw: string } | undefined => {
      const single = boosters.get(at(j));
      if (single !== undefined) return { value: single, raw: tokens[j]?.raw ?? "" };
      const phrase = phrasesEndingWith.get(at(j))?.find((p) => matchesAt(p.words, j - p.words.length + 1));
      return phrase === undefined ? undefined : { value: phrase.value, raw: "" };
    };
    const startsBoosterPhrase = (i: number) => (phrasesStartingWith.get(at(i)) ?? []).some((p) => matchesAt(p.words, i));

    const valenceAt = (i: number): number => {
      const token = tokens[i] as Token;
      if (boosters.has(token.lower) || startsBoosterPhrase(i)) return 0;
      const base = override.get(i) ?? known[i];
      if (base === undefined || base === 0) return 0;
      let v = base;
      // "no" before a sentiment word is a determiner that negates it ("no problems"), not a word of its own.
      if (token.lower === "no" && isSentimentWord(i + 1)) v = 0;
      if (at(i - 1) === "no" || at(i - 2) === "no" || (at(i - 3) === "no" && (at(i - 1) === "or" || at(i - 1) === "nor"))) {
        v = base * rules.negationScalar;
      }
      if (capsDiff && isAllCaps(token.raw)) v += v > 0 ? rules.capsIncrement : -rules.capsIncrement;
      for (let d = 0; d < 3 && i - d - 1 >= 0; d++) {
        const j = i - d - 1;
        if (rules.modifierScope.stopAtPunctuation && tokens[j]!.clauseEnd) break;
        if (isSentimentWord(j)) {
          if (rules.modifierScope.stopAtSentimentWord) break; // the modifier belongs to that word
          continue; // 3.3.2: look past it
        }
        const booster = boosterAt(j);
        if (booster !== undefined) {
          let scalar = v < 0 ? -booster.value : booster.value;
          if (capsDiff && booster.raw !== "" && isAllCaps(booster.raw)) scalar += v > 0 ? rules.capsIncrement : -rules.capsIncrement;
          v += scalar * rules.boosterDecay[d]!;
        }
        v = negationCheck(v, i, d);
      }
      return leastCheck(v, i);
    };

    const negationCheck = (v: number, i: number, d: number): number => {
      const j = i - d - 1;
      if (d > 0 && at(j) === "never" && neverWords.has(at(j + 1))) return v * rules.neverEmphasis.scalar;
      if (d > 0 && at(j) === "without" && at(j + 1) === "doubt") return v;
      return isNegation(at(j)) ? v * rules.negationScalar : v;
    };
    const leastCheck = (v: number, i: number): number => {
      if (at(i - 1) !== "least" || isSentimentWord(i - 1)) return v;
      return at(i - 2) === "at" || at(i - 2) === "very" ? v : v * rules.negationScalar;
    };

    const valences = tokens.map((_, i) => valenceAt(i));
    const contrastIndex = lower.findIndex((w) => contrastWords.has(w));
    if (contrastIndex >= 0) {
      for (let i = 0; i < valences.length; i++) {
        if (i < contrastIndex) valences[i] = valences[i]! * rules.contrast.before;
        else if (i > contrastIndex) valences[i] = valences[i]! * rules.contrast.after;
      }
    }
    let sum = valences.reduce((a, b) => a + b, 0);
    const emphasis = punctuationEmphasis(text, rules.punctuation);
    if (sum > 0) sum += emphasis;
    else if (sum < 0) sum -= emphasis;
    const compound = sum / Math.sqrt(sum * sum + rules.normalizationAlpha);
    return Math.max(-1, Math.min(1, compound));
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}

/** Label and confidence from a compound score: polar 0.5 + |c|/2, neutral 1 − |c|/(2·threshold). */
export function vaderOutput(rules: VaderRules, compound: number): ModelOutput {
  const t = rules.neutralThreshold;
  if (compound >= t) return { prediction: "positive", confidence: 0.5 + 0.5 * compound };
  if (compound <= -t) return { prediction: "negative", confidence: 0.5 - 0.5 * compound };
  return { prediction: "neutral", confidence: 1 - Math.abs(compound) / (2 * t) };
}

/** Reads the lexicon, emoji table and rules of a `vader-rules` artifact. */
export function readVaderData(files: ArtifactFiles): VaderData {
  return {
    lexicon: lexiconFile(files, VADER_FILES.lexicon),
    emoji: lexiconFile(files, VADER_FILES.emoji),
    rules: jsonFile(files, VADER_FILES.rules, VaderRules),
  };
}

/** Builds the predict function of a `vader-rules` artifact. */
export function buildVaderRules(files: ArtifactFiles): (text: string) => ModelOutput {
  const data = readVaderData(files);
  const compound = createVaderScorer(data);
  return (text) => vaderOutput(data.rules, compound(text));
}
