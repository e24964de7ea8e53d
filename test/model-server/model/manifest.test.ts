// Covers: the model server's model/manifest.ts — the strict manifest schema
// (required fields, unknown fields, kinds, sha256 format, unsafe paths,
// duplicates) and the canonical serialisation the build writes.
import { describe, expect, it } from "vitest";
import { Manifest, parseManifest, serializeManifest } from "../../../model-server/index.js";

const SHA = "a".repeat(64);

function valid(): Record<string, unknown> {
  return {
    name: "sentiment",
    version: "v9",
    kind: "afinn-lexicon",
    description: "test",
    labels: ["positive", "negative", "neutral"],
    files: [
      { path: "params.json", sha256: SHA, bytes: 10 },
      { path: "lexicon.tsv", sha256: "b".repeat(64), bytes: 20 },
    ],
    sources: [{ name: "somewhere", url: "https://example.org", licence: "MIT" }],
    licence: "MIT",
    created: "2026-01-01T00:00:00Z",
  };
}

const fileWithPath = (p: string) => ({ ...valid(), files: [{ path: p, sha256: SHA, bytes: 1 }] });

describe("Manifest schema", () => {
  it("accepts a complete manifest", () => {
    expect(parseManifest(valid()).files).toHaveLength(2);
  });

  it("rejects unknown fields at the top level, in files and in sources", () => {
    expect(Manifest.safeParse({ ...valid(), weights: "x" }).success).toBe(false);
    expect(Manifest.safeParse({ ...valid(), files: [{ path: "a", sha256: SHA, bytes: 1, mode: 644 }] }).success).toBe(false);
    expect(Manifest.safeParse({ ...valid(), sources: [{ name: "n", url: "u", licence: "l", year: 1 }] }).success).toBe(false);
  });

  it("requires every field", () => {
    for (const key of Object.keys(valid())) {
      const m = valid();
      delete m[key];
      expect(Manifest.safeParse(m).success, key).toBe(false);
    }
  });

  it("accepts only the implemented kinds", () => {
    expect(Manifest.safeParse({ ...valid(), kind: "vader-rules" }).success).toBe(true);
    expect(Manifest.safeParse({ ...valid(), kind: "transformer" }).success).toBe(false);
  });

  it("requires 64 lowercase hex digits of sha256 and a whole, non-negative size", () => {
    for (const sha256 of ["A".repeat(64), "a".repeat(63), `sha256:${"a".repeat(64)}`]) {
      expect(Manifest.safeParse({ ...valid(), files: [{ path: "a", sha256, bytes: 1 }] }).success, sha256).toBe(false);
    }
    for (const bytes of [-1, 1.5]) {
      expect(Manifest.safeParse({ ...valid(), files: [{ path: "a", sha256: SHA, bytes }] }).success).toBe(false);
    }
  });

  it("rejects paths that could leave the artifact directory or hide files", () => {
    for (const p of ["../secrets", "a/../../b", "/etc/passwd", "C:\\x", "a\\b", ".hidden", "a//b", "a/", "", "manifest.json"]) {
      expect(Manifest.safeParse(fileWithPath(p)).success, p).toBe(false);
    }
    expect(Manifest.safeParse(fileWithPath("data/lexicon.tsv")).success).toBe(true);
  });

  it("rejects duplicate file paths and duplicate labels", () => {
    const f = { path: "a", sha256: SHA, bytes: 1 };
    expect(Manifest.safeParse({ ...valid(), files: [f, f] }).success).toBe(false);
    expect(Manifest.safeParse({ ...valid(), labels: ["positive", "positive"] }).success).toBe(false);
    expect(Manifest.safeParse({ ...valid(), labels: ["positive", "sarcastic"] }).success).toBe(false);
  });

  it("rejects a created time that is not an ISO date-time", () => {
    expect(Manifest.safeParse({ ...valid(), created: "yesterday" }).success).toBe(false);
  });
});

describe("serializeManifest", () => {
  it("sorts files by path, keeps a fixed key order and round-trips", () => {
    const m = parseManifest(valid());
    const text = serializeManifest(m);
    expect(text.endsWith("}\n")).toBe(true);
    const back = parseManifest(JSON.parse(text));
    expect(back.files.map((f) => f.path)).toEqual(["lexicon.tsv", "params.json"]);
    expect(Object.keys(JSON.parse(text) as object)).toEqual([
      "name", "version", "kind", "description", "labels", "files", "sources", "licence", "created",
    ]);
    const reordered = parseManifest({ ...valid(), files: [...(valid().files as unknown[])].reverse() });
    expect(serializeManifest(reordered)).toBe(text);
  });
});
