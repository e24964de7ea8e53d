// Covers worker/src/edge-validation.ts's fast check of a valid body
// (acceptsFast): it gives the contract schema's verdict on a table of edge
// cases (blank and boundary-length texts, surrogate pairs, wrong types, batch
// sizes, extra fields) and on 2,000 seeded random bodies, for /predict and
// /predict/batch. The requests through a router: edge-validation.test.ts.
import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { MAX_BATCH_TEXTS } from "../../contract/prediction.js";
import { acceptsFast, schemaFor, type PredictKind } from "../../worker/src/edge-validation.js";
import { seededRandom } from "../helpers/seeded-random.js";
describe("the fast check of a valid body", () => {
  const MAX = 20;
  const texts: unknown[] = [
    "fine", "", " ", "\n\t ", "\u00a0", "\ufeff", "\u2028", " a ", "a".repeat(MAX), "a".repeat(MAX + 1), "😀".repeat(MAX / 2), "😀".repeat(MAX / 2) + "a",
    42, 0, null, true, false, ["fine"], { text: "fine" },
  ];
  const lists: unknown[] = [[], ["fine"], new Array(MAX_BATCH_TEXTS).fill("ok"), new Array(MAX_BATCH_TEXTS + 1).fill("ok"), "fine", null, { 0: "fine", length: 1 }, ...texts.map((t) => ["fine", t])];
  const bodies: unknown[] = [
    null, [], {}, "fine", 42, true, [{ text: "fine" }],
    ...texts.map((text) => ({ text })),
    ...texts.map((text) => ({ text, extra: "ignored" })),
    ...lists.map((list) => ({ texts: list })),
    ...lists.map((list) => ({ texts: list, text: "fine" })),
  ];

  function randomBody(next: () => number): unknown {
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    const text = () => pick(texts);
    const list = () => Array.from({ length: pick([0, 1, 2, 5, MAX_BATCH_TEXTS, MAX_BATCH_TEXTS + 1]) }, () => (next() < 0.9 ? "ok" : text()));
    const body: Record<string, unknown> = {};
    if (next() < 0.6) body.text = text();
    if (next() < 0.6) body.texts = next() < 0.8 ? list() : text();
    if (next() < 0.3) body.other = text();
    return next() < 0.05 ? pick([null, [], "x", 1]) : body;
  }

  it("accepts exactly what the schema accepts, on every edge case and 2,000 seeded random bodies", () => {
    const next = seededRandom(11);
    const all = [...bodies, ...Array.from({ length: 2_000 }, () => randomBody(next))];
    let accepted = 0;
    for (const kind of ["single", "batch"] as PredictKind[]) {
      for (const body of all) {
        const verdict = z.safeParse(schemaFor(kind, MAX), body).success;
        expect(acceptsFast(kind, body, MAX), `${kind} ${JSON.stringify(body)}`).toBe(verdict);
        if (verdict) accepted++;
      }
    }
    // Both verdicts occur often enough for the comparison to mean something.
    expect(accepted).toBeGreaterThan(200);
    expect(accepted).toBeLessThan(all.length * 2 - 200);
  });
});
