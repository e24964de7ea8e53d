/**
 * The data half of the v2 (`vader-rules`) model, written into its
 * `rules.json` and `emoji.tsv`: the constants and word lists of VADER
 * (Hutto & Gilbert 2014; vaderSentiment 3.3.2 and its JS port
 * vader-sentiment 1.1.3), and an emoji table whose valences are taken from
 * the VADER lexicon through a hand-picked anchor entry per emoji.
 */
import type { VaderRules } from "../src/model/kinds/vader-rules.js";

// Empirically derived by the VADER authors: mean rating change for a booster word and for ALL CAPS.
const B_INCR = 0.293;
const B_DECR = -0.293;

const NEGATIONS = [
  "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "dont", "hadnt", "hasnt",
  "havent", "isnt", "mightnt", "mustnt", "neednt", "oughtnt", "shant", "shouldnt", "wasnt", "werent",
  "wont", "wouldnt", "neither", "never", "none", "nope", "nor", "not", "nothing", "nowhere", "uhuh",
  "uh-uh", "without", "rarely", "seldom", "despite",
  // Words with "n't" ("isn't", "don't") are negations by rule and need no entry.
];

const INCREASE = [
  "absolutely", "amazingly", "awfully", "completely", "considerable", "considerably", "decidedly", "deeply",
  "effing", "enormous", "enormously", "entirely", "especially", "exceptional", "exceptionally", "extreme",
  "extremely", "fabulously", "flipping", "flippin", "frackin", "fracking", "fricking", "frickin", "frigging",
  "friggin", "fully", "fuckin", "fucking", "fuggin", "fugging", "greatly", "hella", "highly", "hugely",
  "incredible", "incredibly", "intensely", "major", "majorly", "more", "most", "particularly", "purely",
  "quite", "really", "remarkably", "so", "substantially", "thoroughly", "total", "totally", "tremendous",
  "tremendously", "uber", "unbelievably", "unusually", "utter", "utterly", "very",
];
const DECREASE = [
  "almost", "barely", "hardly", "just enough", "kind of", "kinda", "kindof", "kind-of", "less", "little",
  "marginal", "marginally", "occasional", "occasionally", "partly", "scarce", "scarcely", "slight", "slightly",
  "somewhat", "sort of", "sorta", "sortof", "sort-of",
];

// VADER's special cases and sentiment-laden idioms (3.3.2 lists the latter but does not apply them; we do).
const IDIOMS: Record<string, number> = {
  "the shit": 3, "the bomb": 3, "bad ass": 1.5, "badass": 1.5, "bus stop": 0, "yeah right": -2,
  "kiss of death": -1.5, "to die for": 3, "beating heart": 3.1, "broken heart": -2.9,
  "cut the mustard": 2, "hand to mouth": -2, "back handed": -2, "blow smoke": -2, "blowing smoke": -2,
  "upper hand": 1, "break a leg": 2, "cooking with gas": 2, "in the black": 2, "in the red": -2,
  "on the ball": 2, "under the weather": -2,
};

/** Sorts an object's keys so that its JSON is canonical. */
function sortedRecord(entries: Iterable<readonly [string, number]>): Record<string, number> {
  return Object.fromEntries([...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

/** The content of v2's `rules.json`. */
export function vaderRules(): VaderRules {
  return {
    negations: [...new Set(NEGATIONS)].sort(),
    negationScalar: -0.74,
    boosters: sortedRecord([...INCREASE.map((w) => [w, B_INCR] as const), ...DECREASE.map((w) => [w, B_DECR] as const)]),
    boosterDecay: [1, 0.95, 0.9],
    capsIncrement: 0.733,
    neverEmphasis: { words: ["so", "this"], scalar: 1.25 },
    idioms: sortedRecord(Object.entries(IDIOMS)),
    contrast: { words: ["but"], before: 0.5, after: 1.5 },
    punctuation: {
      exclamationIncrement: 0.292,
      exclamationMax: 4,
      questionIncrement: 0.18,
      questionMaxCount: 3,
      questionCap: 0.96,
    },
    modifierScope: { stopAtPunctuation: true, stopAtSentimentWord: true },
    normalizationAlpha: 15,
    neutralThreshold: 0.05,
  };
}

/**
 * Emoji → the VADER lexicon entry whose valence it takes (its meaning in a
 * review, chosen by hand). Ambiguous emoji (🔥, 🤔, 😐, 😴) are left out.
 * Keys carry no variation selector; the model strips them before lookup.
 */
export const EMOJI_ANCHORS: Record<string, string> = {
  "😀": "grinning", "😃": "smiling", "😄": "smiling", "😁": "grin", "😆": "laughing", "😅": "relieved",
  "😂": "lol", "🤣": "rofl", "🙂": ":)", "😊": "smiling", "😇": "innocent", "🥰": "loving", "😍": "adore",
  "🤩": "amazing", "😘": "kiss", "😋": "yummy", "😎": "cool", "🤗": "hug", "😌": "relieved",
  "👍": "good", "👏": "applause", "🙌": "hooray", "💯": "perfect", "🎉": "celebrate", "🥳": "celebrate",
  "🏆": "winner", "👌": "ok", "✅": "ok", "🙏": "grateful",
  "❤": "<3", "💕": "<3", "💖": "<3", "💗": "<3", "💙": "<3", "💚": "<3", "💛": "<3", "💜": "<3", "🧡": "<3",
  "😞": "disappointed", "😟": "worried", "😠": "angry", "😡": "furious", "🤬": "furious", "😢": "cry",
  "😭": "crying", "😤": "frustrated", "😩": "weary", "😫": "exhausted", "😖": "frustrated", "😣": "struggling",
  "😒": "annoyed", "🙁": ":(", "☹": ":(", "😔": "dejected", "😕": "confused", "😬": "awkward",
  "🤮": "disgusting", "🤢": "sick", "💔": "heartbroken", "👎": "bad", "😱": "scream", "😨": "scared",
  "😰": "anxious", "😓": "stressed", "🙄": "annoyed", "😑": "meh", "💩": "crap", "❌": "wrong",
  "😳": "embarrassed",
};

/** Emoji → valence, looked up through EMOJI_ANCHORS in the VADER lexicon; throws on a missing anchor. */
export function emojiValences(lexicon: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [emoji, anchor] of Object.entries(EMOJI_ANCHORS)) {
    const valence = lexicon.get(anchor);
    if (valence === undefined) throw new Error(`emoji ${emoji}: anchor "${anchor}" is not in the VADER lexicon`);
    out.set(emoji, valence);
  }
  return out;
}
