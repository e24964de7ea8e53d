/**
 * The lexicon file format shared by the model kinds: UTF-8 text, one entry
 * per line, `<token>\t<valence>\n`, sorted by token, no header, no
 * duplicates. Tokens are stored as the model looks them up (lowercase words,
 * emoticons as typed, emoji without variation selectors).
 */
import { z } from "zod";
import { compareCodePoints } from "./manifest.js";

const Valence = z.number().finite().min(-10).max(10);

/** Raised on a malformed lexicon file; the loader wraps it in a ModelLoadError. */
export class LexiconFormatError extends Error {
  override name = "LexiconFormatError";
}

/** Parses a lexicon TSV into a token → valence map, rejecting malformed lines and duplicates. */
export function parseLexiconTsv(text: string, file: string): Map<string, number> {
  const lexicon = new Map<string, number>();
  if (text.length > 0 && !text.endsWith("\n")) throw new LexiconFormatError(`${file}: must end with a newline`);
  const lines = text.length === 0 ? [] : text.slice(0, -1).split("\n");
  lines.forEach((line, i) => {
    const fields = line.split("\t");
    const [token, raw] = fields;
    if (fields.length !== 2 || token === undefined || raw === undefined || token.length === 0 || token.trim() !== token) {
      throw new LexiconFormatError(`${file}:${i + 1}: expected "<token>\\t<valence>", got ${JSON.stringify(line)}`);
    }
    const parsed = Valence.safeParse(raw.trim() === "" ? Number.NaN : Number(raw));
    if (!parsed.success) throw new LexiconFormatError(`${file}:${i + 1}: valence ${JSON.stringify(raw)} is not a number in -10..10`);
    if (lexicon.has(token)) throw new LexiconFormatError(`${file}:${i + 1}: duplicate token ${JSON.stringify(token)}`);
    lexicon.set(token, parsed.data);
  });
  return lexicon;
}

/** Writes a token → valence map as a canonical lexicon TSV (sorted, fixed number format). */
export function formatLexiconTsv(entries: Iterable<readonly [string, number]>): string {
  const rows = [...entries].sort((a, b) => compareCodePoints(a[0], b[0]));
  rows.forEach(([token], i) => {
    if (i > 0 && rows[i - 1]?.[0] === token) throw new LexiconFormatError(`cannot write duplicate token ${JSON.stringify(token)}`);
    if (token.length === 0 || /[\t\n\r]/.test(token) || token.trim() !== token) {
      throw new LexiconFormatError(`cannot write token ${JSON.stringify(token)}: empty, or holds a tab, newline or edge space`);
    }
  });
  return rows.map(([token, valence]) => `${token}\t${String(valence)}\n`).join("");
}
