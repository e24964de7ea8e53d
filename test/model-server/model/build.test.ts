// Covers: model-server/scripts/build-models.ts and src/model/write-artifact.ts —
// `npm run models:build` is deterministic (two rebuilds into temp dirs give
// identical bytes, equal to the committed artifacts), sizes stay small, and
// the writer records every file's sha256/size and removes stale files.
import { createHash } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel, writeModelArtifact } from "../../../model-server/index.js";
import { buildModels } from "../../../model-server/scripts/build-models.js";
import { makeTmpDir, removeDir, SHIPPED_MODELS_DIR } from "../../helpers/model-artifacts.js";

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = (await readFile(path.join(dir, name))).toString("base64");
  return out;
}

let a: string;
let b: string;
beforeAll(async () => {
  [a, b] = await Promise.all([makeTmpDir(), makeTmpDir()]);
});
afterAll(async () => {
  await Promise.all([removeDir(a), removeDir(b)]);
});

describe("models:build", () => {
  it("rebuilds byte-identical artifacts, equal to the committed ones", async () => {
    const first = await buildModels(a);
    const second = await buildModels(b);
    expect(first.map((m) => m.relDir)).toEqual(["sentiment/v1", "sentiment/v2"]);
    expect(second.map((m) => m.digest)).toEqual(first.map((m) => m.digest));
    for (const m of first) {
      const fresh = await snapshot(path.join(a, m.relDir));
      expect(await snapshot(path.join(b, m.relDir))).toEqual(fresh);
      expect(await snapshot(path.join(SHIPPED_MODELS_DIR, m.relDir)), `${m.relDir} is stale: run npm run models:build`).toEqual(fresh);
      const shipped = await loadModel(path.join(SHIPPED_MODELS_DIR, m.relDir));
      expect(shipped.digest).toBe(m.digest);
    }
  });

  it("keeps each artifact well under 1 MB", async () => {
    for (const m of await buildModels(a)) expect(m.bytes, m.relDir).toBeLessThan(512 * 1024);
  });
});

describe("writeModelArtifact", () => {
  it("lists every file with its sha256 and size, and removes files no longer in the spec", async () => {
    const dir = path.join(a, "w");
    const spec = {
      name: "sentiment", version: "v9", kind: "afinn-lexicon" as const, description: "d", labels: ["positive" as const, "negative" as const],
      sources: [{ name: "n", url: "u", licence: "MIT" }], licence: "MIT", created: "2026-01-01T00:00:00Z",
    };
    await writeModelArtifact(dir, { ...spec, files: { "lexicon.tsv": "good\t3\n", "params.json": "{}", "old.txt": "x" } });
    await writeFile(path.join(dir, "stray.bin"), "y");
    const { manifest } = await writeModelArtifact(dir, { ...spec, files: { "lexicon.tsv": "good\t3\n", "params.json": "{}" } });
    expect((await readdir(dir)).sort()).toEqual(["lexicon.tsv", "manifest.json", "params.json"]);
    const sha = (s: string) => createHash("sha256").update(s).digest("hex");
    expect(manifest.files).toEqual([
      { path: "lexicon.tsv", sha256: sha("good\t3\n"), bytes: 7 },
      { path: "params.json", sha256: sha("{}"), bytes: 2 },
    ]);
    expect(JSON.parse(await readFile(path.join(dir, "manifest.json"), "utf8"))).toEqual(manifest);
  });

  it("needs only name, version, kind and files: the rest defaults, and the result loads", async () => {
    const dir = path.join(a, "minimal");
    const { manifest, digest } = await writeModelArtifact(dir, {
      name: "sentiment", version: "v8", kind: "afinn-lexicon",
      files: { "lexicon.tsv": "good\t3\n", "params.json": JSON.stringify({ neutralBand: 0, confidenceAlpha: 16 }) },
    });
    expect(manifest.labels).toEqual(["positive", "negative", "neutral"]);
    const model = await loadModel(dir, { version: "v8" });
    expect(model.digest).toBe(digest);
    expect(model.predict("good").prediction).toBe("positive");
  });
});
