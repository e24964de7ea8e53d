// Covers: the model server's model/kinds/afinn-lexicon.ts through the shipped
// v1 artifact — word-sum scoring, tokenisation (case, curly apostrophes,
// hyphenated words), the neutral band, confidence growing with the score,
// and the limits of a bag-of-words model (no negation, no emoji).
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { afinnOutput, afinnScore, afinnTokens, loadModel, type SentimentModel } from "../../../model-server/index.js";
import { SHIPPED_MODELS_DIR } from "../../helpers/model-artifacts.js";

let v1: SentimentModel;
beforeAll(async () => {
  v1 = await loadModel(path.join(SHIPPED_MODELS_DIR, "sentiment", "v1"));
});

describe("afinnTokens", () => {
  it("lowercases, keeps inner apostrophes and hyphens, drops punctuation", () => {
    expect(afinnTokens("It’s WELL-BEING, isn't it?!")).toEqual(["it's", "well-being", "isn't", "it"]);
  });
});

describe("afinnScore", () => {
  const lexicon = new Map([["good", 3], ["bad", -3], ["well-being", 2], ["short", -1]]);
  it("sums positive and negative valences separately", () => {
    expect(afinnScore(lexicon, "good good bad")).toEqual({ positive: 6, negative: 3 });
  });
  it("scores a hyphenated word as a whole, else as its parts", () => {
    expect(afinnScore(lexicon, "well-being")).toEqual({ positive: 2, negative: 0 });
    expect(afinnScore(lexicon, "good-ish short-bad")).toEqual({ positive: 3, negative: 4 });
  });
});

describe("afinnOutput", () => {
  const params = { neutralBand: 0, confidenceAlpha: 16 };
  it("is neutral inside the band and more confident the larger the score", () => {
    expect(afinnOutput(params, 2, 2).prediction).toBe("neutral");
    const small = afinnOutput(params, 1, 0);
    const large = afinnOutput(params, 9, 0);
    expect(small.prediction).toBe("positive");
    expect(large.confidence).toBeGreaterThan(small.confidence);
    expect(afinnOutput(params, 0, 5)).toMatchObject({ prediction: "negative" });
    expect(afinnOutput({ ...params, neutralBand: 2 }, 2, 0).prediction).toBe("neutral");
  });
  it("is less sure of a neutral call when strong words cancelled out", () => {
    expect(afinnOutput(params, 0, 0).confidence).toBeGreaterThan(afinnOutput(params, 5, 5).confidence);
  });
});

describe("v1 (afinn-lexicon) predictions", () => {
  it("labels clear positive, negative and neutral texts", () => {
    expect(v1.predict("The staff were friendly and helpful").prediction).toBe("positive");
    expect(v1.predict("The app is buggy and the support is terrible").prediction).toBe("negative");
    expect(v1.predict("The train leaves at 7:45.").prediction).toBe("neutral");
  });

  it("ignores negation: 'not good' reads like 'good'", () => {
    expect(v1.predict("not good")).toEqual(v1.predict("good"));
    expect(v1.predict("not good").prediction).toBe("positive");
  });

  it("ignores intensifiers, capitals and exclamation marks", () => {
    expect(v1.predict("GOOD!!!")).toEqual(v1.predict("good"));
    expect(v1.predict("extremely good").confidence).toBe(v1.predict("good").confidence);
  });

  it("does not score emoji or emoticons", () => {
    expect(v1.predict("😍 :)").prediction).toBe("neutral");
  });

  it("keeps confidence within 0..1", () => {
    for (const t of ["love love love love love love love", "hate hate hate hate", "a"]) {
      const c = v1.predict(t).confidence;
      expect(c).toBeGreaterThanOrEqual(0);
      expect(c).toBeLessThanOrEqual(1);
    }
  });
});
