/**
 * Content digests of model artifacts.
 *
 * The model digest (reported by `/health` as `model_digest`) is
 * `sha256:` + sha256 of the artifact's canonical file list: one line per
 * manifest file, sorted by path (code-unit order), each line exactly what
 * `sha256sum` prints — `<sha256 hex>  <path>\n`. So it can be checked by hand:
 *
 *   cd models/sentiment/v2 && sha256sum emoji.tsv lexicon.tsv … | sha256sum
 *
 * (files in sorted order). It depends only on the files' contents and
 * paths, not on the manifest's prose, so the same weights give the same
 * digest whatever the version is called.
 */
import { createHash } from "node:crypto";
import { compareCodePoints } from "./manifest.js";

/** Lowercase hex sha256 of some bytes (or a UTF-8 string). */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The canonical file list the model digest is computed over (see the module comment). */
export function canonicalFileList(files: ReadonlyArray<{ path: string; sha256: string }>): string {
  return [...files]
    .sort((a, b) => compareCodePoints(a.path, b.path))
    .map((f) => `${f.sha256}  ${f.path}\n`)
    .join("");
}

/** The model digest, `sha256:<hex>`, of an artifact's file list. */
export function modelDigest(files: ReadonlyArray<{ path: string; sha256: string }>): string {
  return `sha256:${sha256Hex(canonicalFileList(files))}`;
}
