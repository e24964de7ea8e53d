// Covers: model-server/golden/sentiment.jsonl (≥200 unique, well-formed,
// roughly balanced rows with the phenomena the models are compared on) and
// contract/golden-set.ts (parsing, errors naming the line).
import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { type GoldenExample, GoldenSetError, parseGoldenSet } from "../../../contract/golden-set.js";
import { LABELS } from "../../../contract/prediction.js";
import { readGoldenSet } from "../../../model-server/index.js";
import { GOLDEN_SET_FILE } from "../../helpers/model-artifacts.js";

let rows: GoldenExample[];
beforeAll(async () => {
  rows = await readGoldenSet(GOLDEN_SET_FILE);
});

describe("the shipped golden set", () => {
  it("has at least 200 rows, every line a {text, label} object", async () => {
    const lines = (await readFile(GOLDEN_SET_FILE, "utf8")).split("\n").filter((l) => l.trim() !== "");
    expect(rows.length).toBe(lines.length);
    expect(rows.length).toBeGreaterThanOrEqual(200);
  });

  it("has no duplicate texts (ignoring case and spacing)", () => {
    const norm = rows.map((r) => r.text.toLowerCase().replace(/\s+/g, " ").trim());
    const dupes = norm.filter((t, i) => norm.indexOf(t) !== i);
    expect(dupes).toEqual([]);
  });

  it("is roughly balanced: each label holds 25–42% of the rows", () => {
    for (const l of LABELS) {
      const share = rows.filter((r) => r.label === l).length / rows.length;
      expect(share, l).toBeGreaterThanOrEqual(0.25);
      expect(share, l).toBeLessThanOrEqual(0.42);
    }
  });

  it("holds short texts with the phenomena the models differ on", () => {
    expect(Math.max(...rows.map((r) => r.text.length))).toBeLessThanOrEqual(200);
    const count = (re: RegExp) => rows.filter((r) => re.test(r.text)).length;
    expect(count(/\b(not|never|no|nothing)\b|n't\b/i)).toBeGreaterThanOrEqual(15);
    expect(count(/\b(extremely|very|really|so|incredibly|barely|totally)\b/i)).toBeGreaterThanOrEqual(10);
    expect(count(/\p{Extended_Pictographic}|[:;]-?[()D]/u)).toBeGreaterThanOrEqual(10);
    expect(count(/\bbut\b/i)).toBeGreaterThanOrEqual(8);
    expect(count(/\?$/)).toBeGreaterThanOrEqual(10);
    expect(count(/!/)).toBeGreaterThanOrEqual(10);
    expect(count(/\b[A-Z]{3,}\b/)).toBeGreaterThanOrEqual(3);
  });
});

describe("parseGoldenSet", () => {
  it("parses rows and skips blank lines", () => {
    expect(parseGoldenSet('{"text":"fine","label":"neutral"}\n\n{"text":"great","label":"positive"}\n')).toHaveLength(2);
  });

  it("names the line of a bad row", () => {
    expect(() => parseGoldenSet('{"text":"a","label":"neutral"}\n{"text":"b","label":"happy"}', "g.jsonl")).toThrow(/g\.jsonl:2: label/);
    expect(() => parseGoldenSet("{oops", "g.jsonl")).toThrow(GoldenSetError);
    expect(() => parseGoldenSet('{"text":"  ","label":"neutral"}')).toThrow(/text must not be blank/);
    expect(() => parseGoldenSet('{"text":"a","label":"neutral","id":1}')).toThrow(GoldenSetError);
  });
});
