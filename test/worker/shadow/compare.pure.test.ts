// Covers worker/src/shadow/compare.ts: item-by-item comparison of the
// standby's answer with the active's (same label, |Δconfidence| in
// millionths, unparseable standby items, items the active did not answer
// validly are not compared), with the drift rule's answer parsing.
import { describe, expect, it } from "vitest";
import { compareItems, itemsOf } from "../../../worker/src/shadow/compare.js";

const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const p = (prediction: string, confidence?: number) => ({ prediction, model_version: "v", ...(confidence === undefined ? {} : { confidence }) });

describe("comparing answers", () => {
  it("a single answer: same label agrees, |Δconfidence| summed in millionths", () => {
    const c = compareItems(itemsOf("single", 1, bytes(p("positive", 0.9))), itemsOf("single", 1, bytes(p("positive", 0.75))));
    expect(c).toEqual({ compared: 1, agreed: 1, unparseable: 0, confidencePairs: 1, confidenceDeltaMicros: 150_000 });
  });

  it("a batch: per item; an item without confidence on either side has no Δ; a bad standby item is unparseable", () => {
    const active = itemsOf("batch", 3, bytes({ predictions: [p("positive", 0.9), p("negative"), p("neutral", 0.5)] }));
    const standby = itemsOf("batch", 3, bytes({ predictions: [p("negative", 0.6), p("negative", 0.8), { prediction: 7 }] }));
    expect(compareItems(active, standby)).toEqual({ compared: 3, agreed: 1, unparseable: 1, confidencePairs: 1, confidenceDeltaMicros: 300_000 });
  });

  it("items the active colour did not answer validly are not compared; an unread or non-JSON answer has no items", () => {
    expect(compareItems(itemsOf("single", 1, null), itemsOf("single", 1, bytes(p("positive"))))).toMatchObject({ compared: 0 });
    expect(compareItems(itemsOf("single", 1, bytes(p("positive"))), itemsOf("single", 1, new Uint8Array([0xff, 0x7b])))).toMatchObject({ compared: 1, agreed: 0, unparseable: 1 });
    expect(itemsOf("batch", 2, bytes({ predictions: [p("a")] }))).toEqual([null, null]);
  });
});
