// Covers: the model server's model/kinds/vader-rules.ts and vader-text.ts
// through the shipped v2 data — each VADER rule on hand-picked texts
// (negation and its scope, "no", boosters/dampeners, "but" contrast, ALL CAPS, "!"/"?",
// emoji and emoticons, idioms, "least"), tokenisation, and the label and
// confidence drawn from the compound score.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createVaderScorer, readVaderData, VADER_FILES, type VaderData, vaderOutput, type VaderRules, emojiKey, hasCapsDifferential, punctuationEmphasis, vaderTokens } from "../../../model-server/index.js";
import { SHIPPED_MODELS_DIR } from "../../helpers/model-artifacts.js";

let compound: (text: string) => number;
let rules: VaderRules;
let data: VaderData;
beforeAll(async () => {
  const dir = path.join(SHIPPED_MODELS_DIR, "sentiment", "v2");
  const files = new Map<string, Uint8Array>();
  for (const f of Object.values(VADER_FILES)) files.set(f, await readFile(path.join(dir, f)));
  data = readVaderData(files);
  rules = data.rules;
  compound = createVaderScorer(data);
});
const label = (t: string) => vaderOutput(rules, compound(t)).prediction;

describe("vaderTokens", () => {
  const known = (s: string) => [":)", "<3", "😍"].includes(s);
  it("keeps emoticons and contractions, strips edge punctuation, splits emoji off", () => {
    expect(vaderTokens("Isn’t it great, :) <3 love😍!!", known).map((t) => t.raw)).toEqual(["Isn't", "it", "great", ":)", "<3", "love", "😍"]);
  });
  it("drops punctuation-only pieces", () => {
    expect(vaderTokens("ok ... !!! -", known).map((t) => t.lower)).toEqual(["ok"]);
  });
  it("marks tokens that end a clause, including before a detached comma", () => {
    expect(vaderTokens("good, bad fine . sad 'ok' :) e", known).map((t) => t.clauseEnd)).toEqual([true, false, true, false, false, false, false]);
  });
});

describe("vader-text helpers", () => {
  it("treats capitals as emphasis only when some words are not in capitals", () => {
    expect(hasCapsDifferential(vaderTokens("I LOVE it", () => false))).toBe(true);
    expect(hasCapsDifferential(vaderTokens("I LOVE IT", () => false))).toBe(false);
  });
  it("strips variation selectors and skin tones from emoji keys", () => {
    expect(emojiKey("❤️")).toBe("❤");
    expect(emojiKey("👍🏽")).toBe("👍");
  });
  it("adds emphasis per '!' up to a cap, and for two or more '?'", () => {
    const p = { exclamationIncrement: 0.3, exclamationMax: 4, questionIncrement: 0.2, questionMaxCount: 3, questionCap: 1 };
    expect(punctuationEmphasis("a!!", p)).toBeCloseTo(0.6);
    expect(punctuationEmphasis("a!!!!!!!", p)).toBeCloseTo(1.2);
    expect(punctuationEmphasis("a?", p)).toBe(0);
    expect(punctuationEmphasis("a??", p)).toBeCloseTo(0.4);
    expect(punctuationEmphasis("a?????", p)).toBe(1);
  });
});

describe("v2 (vader-rules) rules", () => {
  it("negation flips and dampens: 'not good', 'isn't great', 'never good'", () => {
    expect(compound("good")).toBeGreaterThan(0);
    expect(compound("not good")).toBeLessThan(0);
    expect(Math.abs(compound("not good"))).toBeLessThan(compound("good"));
    expect(label("The screen isn't great")).toBe("negative");
    expect(label("It is not bad at all")).toBe("positive");
    expect(label("This was never good")).toBe("negative");
  });

  it("'no' before a sentiment word negates it instead of counting itself", () => {
    expect(label("no problems")).toBe("positive");
    expect(label("no")).toBe("negative");
  });

  it("boosters raise and dampeners lower the intensity, less with distance", () => {
    expect(compound("extremely good")).toBeGreaterThan(compound("good"));
    expect(compound("barely good")).toBeLessThan(compound("good"));
    expect(compound("kind of good")).toBeLessThan(compound("good"));
    expect(compound("extremely bad")).toBeLessThan(compound("bad"));
    expect(compound("extremely good")).toBeGreaterThan(compound("extremely the the good"));
  });

  it("keeps a negation to its own clause and its own sentiment word", () => {
    expect(label("The food was not good 😡")).toBe("negative");
    expect(label("Can't recommend it, sadly.")).toBe("negative");
    expect(compound("not good, bad")).toBeLessThan(compound("not good"));
  });

  it("with modifierScope off, looks past sentiment words and commas like vaderSentiment 3.3.2", () => {
    const reference = createVaderScorer({ ...data, rules: { ...rules, modifierScope: { stopAtPunctuation: false, stopAtSentimentWord: false } } });
    expect(reference("The food was not good 😡")).toBeGreaterThan(0);
    expect(reference("Can't recommend it, sadly.")).toBeGreaterThan(0);
  });

  it("'but' shifts the weight to the clause after it", () => {
    expect(label("The screen is great but the battery is terrible")).toBe("negative");
    expect(label("The battery is terrible but the screen is great")).toBe("positive");
  });

  it("ALL CAPS emphasises a word when the rest is not in capitals", () => {
    expect(compound("The food was GOOD")).toBeGreaterThan(compound("The food was good"));
    expect(compound("THE FOOD WAS GOOD")).toBeCloseTo(compound("the food was good"));
  });

  it("exclamation marks push the score away from zero, in its direction", () => {
    expect(compound("good!!!")).toBeGreaterThan(compound("good"));
    expect(compound("bad!!!")).toBeLessThan(compound("bad"));
    expect(compound("The box is blue!!!")).toBe(0);
  });

  it("scores emoji (with or without variation selector) and emoticons", () => {
    expect(label("Love it 😍")).toBe("positive");
    expect(label("😍")).toBe("positive");
    expect(label("❤️")).toBe("positive");
    expect(label("Waited an hour 😡")).toBe("negative");
    expect(label("thanks :)")).toBe("positive");
    expect(label("the parcel came :(")).toBe("negative");
    expect(compound("works 👍🏽")).toBeGreaterThan(0);
  });

  it("applies idioms and the 'least' rule", () => {
    expect(label("This place is the bomb")).toBe("positive");
    expect(label("yeah right")).toBe("negative");
    expect(label("my least favorite shop")).toBe("negative");
    expect(label("the least good option")).toBe("negative");
    expect(label("at least good")).toBe("positive");
  });

  it("is neutral for facts and questions without sentiment words", () => {
    expect(label("The train leaves at 7:45.")).toBe("neutral");
    expect(label("Does it come in blue?")).toBe("neutral");
    expect(compound("")).toBe(0);
  });
});

describe("vaderOutput", () => {
  it("maps the compound score to a label and a 0..1 confidence", () => {
    expect(vaderOutput(rules, 0.8)).toEqual({ prediction: "positive", confidence: 0.9 });
    expect(vaderOutput(rules, -1)).toEqual({ prediction: "negative", confidence: 1 });
    expect(vaderOutput(rules, 0)).toEqual({ prediction: "neutral", confidence: 1 });
    const edge = vaderOutput(rules, rules.neutralThreshold / 2);
    expect(edge.prediction).toBe("neutral");
    expect(edge.confidence).toBeCloseTo(0.75);
  });
});
