/**
 * Text handling for the `vader-rules` kind: tokens that keep emoticons
 * (":)", "<3"), contractions ("isn't") and emoji, the ALL-CAPS test, and the
 * "!"/"?" emphasis of a whole text.
 */

export interface Token {
  /** As written, edge punctuation removed unless the whole token is a known emoticon. */
  raw: string;
  lower: string;
}

// One emoji: a pictograph with optional variation selector / skin tone, ZWJ-joined sequences kept whole.
const EMOJI = /\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})*(?:\u200D\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})*)*/gu;
const EDGE_PUNCTUATION = /^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu;

/** An emoji as the emoji table keys it: variation selectors and skin-tone modifiers removed. */
export function emojiKey(token: string): string {
  return token.replace(/[\uFE0E\uFE0F]|\p{Emoji_Modifier}/gu, "");
}

/**
 * Splits a text into tokens. Whitespace separates tokens and every emoji is
 * its own token; a token that `isKnown` (an emoticon) is kept as typed,
 * others lose leading/trailing punctuation, and punctuation-only leftovers
 * are dropped.
 */
export function vaderTokens(text: string, isKnown: (token: string) => boolean): Token[] {
  const spaced = text.normalize("NFC").replace(/[\u2018\u2019`]/g, "'").replace(EMOJI, " $& ");
  const tokens: Token[] = [];
  for (const piece of spaced.split(/\s+/u)) {
    if (piece === "") continue;
    let raw = piece;
    if (!isKnown(piece) && !isKnown(piece.toLowerCase())) {
      raw = piece.replace(EDGE_PUNCTUATION, "");
      if (raw === "") continue;
    }
    tokens.push({ raw, lower: raw.toLowerCase() });
  }
  return tokens;
}

/** True for a token written in capitals ("GREAT", "WOW!!"), false for "I'm" or ":)". */
export function isAllCaps(raw: string): boolean {
  return /\p{Lu}/u.test(raw) && !/\p{Ll}/u.test(raw);
}

/** True when some, but not all, tokens are ALL CAPS: only then do capitals mark emphasis. */
export function hasCapsDifferential(tokens: readonly Token[]): boolean {
  const caps = tokens.filter((t) => isAllCaps(t.raw)).length;
  return caps > 0 && caps < tokens.length;
}

export interface PunctuationRules {
  exclamationIncrement: number;
  exclamationMax: number;
  questionIncrement: number;
  questionMaxCount: number;
  questionCap: number;
}

/** Emphasis added to the score's magnitude by "!" (each, up to a max) and by two or more "?". */
export function punctuationEmphasis(text: string, rules: PunctuationRules): number {
  const exclamations = Math.min(text.split("!").length - 1, rules.exclamationMax);
  const questions = text.split("?").length - 1;
  let emphasis = exclamations * rules.exclamationIncrement;
  if (questions > 1) {
    emphasis += questions <= rules.questionMaxCount ? questions * rules.questionIncrement : rules.questionCap;
  }
  return emphasis;
}
