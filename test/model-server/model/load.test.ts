// Covers: the model server's model/load.ts (and digest.ts) — loading the
// shipped v1/v2 artifacts, the model digest recomputed independently from
// the files, and every refusal as a ModelLoadError that says what is wrong:
// missing directory/manifest/file, invalid or unknown manifest fields, a
// sha256 mismatch naming the file and both digests, paths and symlinks
// escaping the directory, name/version mismatch, files a kind needs, and
// malformed model files.
import { createHash } from "node:crypto";
import { appendFile, mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadModel, ModelLoadError, writeModelArtifact } from "../../../model-server/index.js";
import { copyShippedModel, makeTmpDir, removeDir, SHIPPED_MODELS_DIR } from "../../helpers/model-artifacts.js";

const sha256 = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");

async function readManifest(dir: string): Promise<Record<string, unknown> & { files: Array<{ path: string; sha256: string }> }> {
  return JSON.parse(await readFile(path.join(dir, "manifest.json"), "utf8"));
}
async function writeManifest(dir: string, m: unknown): Promise<void> {
  await writeFile(path.join(dir, "manifest.json"), JSON.stringify(m));
}
async function loadError(dir: string, options = {}): Promise<ModelLoadError> {
  const err = await loadModel(dir, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelLoadError);
  return err as ModelLoadError;
}

let tmp: string;
beforeEach(async () => {
  tmp = await makeTmpDir();
});
afterEach(async () => {
  await removeDir(tmp);
});

describe("loadModel on the shipped artifacts", () => {
  for (const [version, kind] of [["v1", "afinn-lexicon"], ["v2", "vader-rules"]] as const) {
    it(`loads sentiment/${version} (${kind}) with the digest of its files`, async () => {
      const dir = path.join(SHIPPED_MODELS_DIR, "sentiment", version);
      const model = await loadModel(dir, { name: "sentiment", version });
      expect(model).toMatchObject({ name: "sentiment", version, kind });
      // Independent recomputation, as documented: sha256 of the `sha256sum` listing in path order.
      const manifest = await readManifest(dir);
      const paths = manifest.files.map((f) => f.path).sort();
      const lines = await Promise.all(paths.map(async (p) => `${sha256(await readFile(path.join(dir, p)))}  ${p}\n`));
      expect(model.digest).toBe(`sha256:${sha256(lines.join(""))}`);
      const out = model.predict("What a lovely day");
      expect(out.prediction).toBe("positive");
      expect(out.confidence).toBeGreaterThan(0.5);
      expect(out.confidence).toBeLessThanOrEqual(1);
    });
  }

  it("gives v1 and v2 different digests", async () => {
    const [v1, v2] = await Promise.all(["v1", "v2"].map((v) => loadModel(path.join(SHIPPED_MODELS_DIR, "sentiment", v))));
    expect(v1!.digest).not.toBe(v2!.digest);
  });
});

describe("loadModel refuses", () => {
  it("a directory that does not exist", async () => {
    expect((await loadError(path.join(tmp, "nope"))).message).toMatch(/does not exist/);
  });

  it("a directory without manifest.json, or with invalid JSON in it", async () => {
    await mkdir(path.join(tmp, "m"));
    expect((await loadError(path.join(tmp, "m"))).message).toMatch(/manifest\.json is missing/);
    await writeFile(path.join(tmp, "m", "manifest.json"), "{ not json");
    expect((await loadError(path.join(tmp, "m"))).message).toMatch(/manifest\.json is not valid JSON/);
  });

  it("a manifest with an unknown field, naming the field", async () => {
    const dir = await copyShippedModel(tmp, "v1");
    await writeManifest(dir, { ...(await readManifest(dir)), threshold: 0.5 });
    expect((await loadError(dir)).message).toMatch(/manifest\.json is invalid.*threshold/);
  });

  it("a file listed in the manifest but missing, naming it", async () => {
    const dir = await copyShippedModel(tmp, "v1");
    await rm(path.join(dir, "params.json"));
    expect((await loadError(dir)).message).toMatch(/params\.json is listed in manifest\.json but missing/);
  });

  it("a changed file, naming it with the expected and actual sha256", async () => {
    const dir = await copyShippedModel(tmp, "v2");
    const file = path.join(dir, "lexicon.tsv");
    const expected = (await readManifest(dir)).files.find((f) => f.path === "lexicon.tsv")!.sha256;
    await appendFile(file, "zzz\t4\n");
    const actual = sha256(await readFile(file));
    const err = await loadError(dir);
    expect(err.message).toContain("lexicon.tsv: sha256 mismatch");
    expect(err.message).toContain(expected);
    expect(err.message).toContain(actual);
  });

  it("a manifest edited to point outside the directory", async () => {
    const dir = await copyShippedModel(tmp, "v1");
    const m = await readManifest(dir);
    m.files[0]!.path = "../../etc/passwd";
    await writeManifest(dir, m);
    expect((await loadError(dir)).message).toMatch(/manifest\.json is invalid.*files\.0\.path/);
  });

  it("a listed file that is a symlink leaving the directory, even with the right sha256", async () => {
    const dir = await copyShippedModel(tmp, "v1");
    const outside = path.join(tmp, "outside-params.json");
    await writeFile(outside, await readFile(path.join(dir, "params.json")));
    await rm(path.join(dir, "params.json"));
    await symlink(outside, path.join(dir, "params.json"));
    expect((await loadError(dir)).message).toMatch(/params\.json resolves outside the model directory/);
  });

  it("an artifact whose name or version is not the one asked for", async () => {
    const dir = await copyShippedModel(tmp, "v1", "sentiment");
    expect((await loadError(dir, { version: "v2" })).message).toMatch(/version "v1", expected "v2"/);
    expect((await loadError(dir, { name: "toxicity" })).message).toMatch(/names model "sentiment", expected "toxicity"/);
  });

  it("a manifest that lacks a file its kind needs", async () => {
    const dir = path.join(tmp, "m");
    await writeModelArtifact(dir, {
      name: "sentiment", version: "v9", kind: "afinn-lexicon", description: "no params", labels: ["positive", "negative"],
      files: { "lexicon.tsv": "good\t3\n" },
      sources: [{ name: "test", url: "test", licence: "MIT" }], licence: "MIT", created: "2026-01-01T00:00:00Z",
    });
    expect((await loadError(dir)).message).toMatch(/kind "afinn-lexicon" needs params\.json/);
  });

  it("model files that are well hashed but malformed, naming the file", async () => {
    const spec = (files: Record<string, string>) => ({
      name: "sentiment", version: "v9", kind: "afinn-lexicon" as const, description: "bad", labels: ["positive" as const, "negative" as const],
      files, sources: [{ name: "test", url: "test", licence: "MIT" }], licence: "MIT", created: "2026-01-01T00:00:00Z",
    });
    const params = JSON.stringify({ neutralBand: 0, confidenceAlpha: 16 });
    await writeModelArtifact(path.join(tmp, "a"), spec({ "lexicon.tsv": "good\tthree\n", "params.json": params }));
    expect((await loadError(path.join(tmp, "a"))).message).toMatch(/lexicon\.tsv:1: valence "three"/);
    await writeModelArtifact(path.join(tmp, "b"), spec({ "lexicon.tsv": "good\t3\n", "params.json": '{"neutralBand": -1, "confidenceAlpha": 16}' }));
    expect((await loadError(path.join(tmp, "b"))).message).toMatch(/params\.json: invalid \(neutralBand/);
    await writeModelArtifact(path.join(tmp, "c"), spec({ "lexicon.tsv": "good\t3\ngood\t2\n", "params.json": params }));
    expect((await loadError(path.join(tmp, "c"))).message).toMatch(/lexicon\.tsv:2: duplicate token "good"/);
  });
});
