/**
 * Loads a model artifact directory (`models/<name>/<version>/`): validates
 * `manifest.json`, checks that every listed file exists inside the directory
 * and matches its sha256, and builds the model of the manifest's kind.
 * Refuses — with a ModelLoadError naming the file and both digests — rather
 * than serve a model whose bytes are not the ones the manifest promises.
 */
import { lstat, readFile, realpath } from "node:fs/promises";
import path from "node:path";
import { LABELS } from "../../../contract/prediction.js";
import { modelDigest, sha256Hex } from "./digest.js";
import { KIND_BUILDERS } from "./kinds/registry.js";
import { MANIFEST_FILE, MAX_FILE_BYTES, type Manifest, Manifest as ManifestSchema } from "./manifest.js";
import { ModelLoadError, type ModelOutput, type SentimentModel } from "./types.js";

export interface LoadOptions {
  /** Refuse the artifact unless its manifest has this name (e.g. from MODEL_NAME). */
  name?: string;
  /** Refuse the artifact unless its manifest has this version (e.g. from MODEL_VERSION). */
  version?: string;
}

/** Loads and verifies the model artifact in `dir`; throws ModelLoadError on any problem. */
export async function loadModel(dir: string, options: LoadOptions = {}): Promise<SentimentModel> {
  const fail = (detail: string): never => {
    throw new ModelLoadError(`cannot load model from ${dir}: ${detail}`);
  };
  const root = await realpath(path.resolve(dir)).catch(() => fail("the directory does not exist"));
  const manifest = await readManifest(root).catch((err: unknown) => fail(describe(err)));
  if (options.name !== undefined && manifest.name !== options.name) {
    fail(`${MANIFEST_FILE} names model "${manifest.name}", expected "${options.name}"`);
  }
  if (options.version !== undefined && manifest.version !== options.version) {
    fail(`${MANIFEST_FILE} is version "${manifest.version}", expected "${options.version}" (stale or misplaced artifact?)`);
  }

  const files = new Map<string, Uint8Array>();
  for (const file of manifest.files) {
    files.set(file.path, await readVerified(root, file).catch((err: unknown) => fail(describe(err))));
  }

  const builder = KIND_BUILDERS[manifest.kind];
  const missing = builder.requiredFiles.filter((p) => !files.has(p));
  if (missing.length > 0) fail(`kind "${manifest.kind}" needs ${missing.join(", ")}, not listed in ${MANIFEST_FILE}`);
  let predict: (text: string) => ModelOutput;
  try {
    predict = checkedPredict(builder.build(files));
    predict("warm-up: is this model working?");
  } catch (err) {
    return fail(describe(err));
  }
  return {
    name: manifest.name,
    version: manifest.version,
    kind: manifest.kind,
    digest: modelDigest(manifest.files),
    predict,
  };
}

/** Reads and validates `root/manifest.json`. */
async function readManifest(root: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(path.join(root, MANIFEST_FILE), "utf8");
  } catch {
    throw new ModelLoadError(`${MANIFEST_FILE} is missing or unreadable`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelLoadError(`${MANIFEST_FILE} is not valid JSON (${(err as Error).message})`);
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new ModelLoadError(`${MANIFEST_FILE} is invalid — ${issues.join("; ")}`);
  }
  return parsed.data;
}

/** Reads one listed file, refusing paths that escape `root`, non-files, and any sha256 or size mismatch. */
async function readVerified(root: string, file: Manifest["files"][number]): Promise<Uint8Array> {
  const target = path.resolve(root, file.path);
  const real = await realpath(target).catch(() => {
    throw new ModelLoadError(`${file.path} is listed in ${MANIFEST_FILE} but missing`);
  });
  if (!real.startsWith(root + path.sep)) throw new ModelLoadError(`${file.path} resolves outside the model directory`);
  const stat = await lstat(real);
  if (!stat.isFile()) throw new ModelLoadError(`${file.path} is not a regular file`);
  if (stat.size > MAX_FILE_BYTES) throw new ModelLoadError(`${file.path} is ${stat.size} bytes, over the ${MAX_FILE_BYTES}-byte limit`);
  const bytes = new Uint8Array(await readFile(real));
  const actual = sha256Hex(bytes);
  if (actual !== file.sha256) {
    throw new ModelLoadError(
      `${file.path}: sha256 mismatch — manifest expects ${file.sha256}, file has ${actual} ` +
        `(${bytes.byteLength} bytes; manifest says ${file.bytes}). The file changed after the manifest was written: ` +
        `restore it, or rebuild the artifact with "npm run models:build"`,
    );
  }
  if (bytes.byteLength !== file.bytes) {
    throw new ModelLoadError(`${file.path}: manifest says ${file.bytes} bytes, file has ${bytes.byteLength} (sha256 matches)`);
  }
  return bytes;
}

/** Wraps a kind's predict so that a label or confidence outside the contract is a bug, not an answer. */
function checkedPredict(predict: (text: string) => ModelOutput): (text: string) => ModelOutput {
  return (text) => {
    const out = predict(text);
    if (!LABELS.includes(out.prediction) || !(out.confidence >= 0 && out.confidence <= 1)) {
      throw new Error(`model produced an invalid output ${JSON.stringify(out)}`);
    }
    return out;
  };
}

function describe(err: unknown): string {
  if (err instanceof ModelLoadError) return err.message;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
