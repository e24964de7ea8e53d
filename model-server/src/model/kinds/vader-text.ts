/**
 * Text handling for the `vader-rules` kind: tokens that keep emoticons
 * (":)", "<3"), contractions ("isn't") and emoji, the ALL-CAPS test, and the
 * "!"/"?" emphasis of a whole text.
 */

export interface Token {
  /** As written, edge punctuation removed unless the whole token is a known emoticon. */
  raw: string;
  lower: string;
  /** The token was followed by clause punctuation (",", ".", ";", ":", "!", "?"). */
  clauseEnd: boolean;
}

// One emoji: a pictograph with optional variation selector / skin tone, ZWJ-joined sequences kept whole.
const EMOJI = /\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})*(?:\u200D\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})*)*/gu;
const EDGE_PUNCTUATION = /^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu;
const TRAILING_PUNCTUATION = /[\p{P}\p{S}]+$/u;
const CLAUSE_PUNCTUATION = /[,.;:!?]/;

/** An emoji as the emoji table keys it: variation selectors and skin-tone modifiers removed. */
export function emojiKey(token: string): string {
  return token.replace(/[\uFE0E\uFE0F]|\p{Emoji_Modifier}/gu, "");
}

/**
 * Splits a text into tokens. Whitespace separates tokens and every emoji is
 * its own token; a token that `isKnown` (an emoticon) is kept as typed,
 * others lose leading/trailing punctuation (noting whether it ended a
 * clause), and punctuation-only pieces are dropped (marking the previous
 * token's clause end: "good , but").
 */
export function vaderTokens(text: string, isKnown: (token: string) => boolean): Token[] {
  const spaced = text.normalize("NFC").replace(/[\u2018\u2019`]/g, "'").replace(EMOJI, " $& ");
  const tokens: Token[] = [];
  for (const piece of spaced.split(/\s+/u)) {
    if (piece === "") continue;
    if (isKnown(piece) || isKnown(piece.toLowerCase())) {
      tokens.push({ raw: piece, lower: piece.toLowerCase(), clauseEnd: false });
      continue;
    }
    const raw = piece.replace(EDGE_PUNCTUATION, "");
    if (raw === "") {
      const previous = tokens[tokens.length - 1];
      if (previous !== undefined && CLAUSE_PUNCTUATION.test(piece)) previous.clauseEnd = true;
      continue;
    }
    const trailing = piece.match(TRAILING_PUNCTUATION)?.[0] ?? "";
    tokens.push({ raw, lower: raw.toLowerCase(), clauseEnd: CLAUSE_PUNCTUATION.test(trailing) });
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
