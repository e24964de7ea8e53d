/**
 * Writes a model artifact directory: the files, then a manifest listing each
 * file's sha256 and size. Same inputs, same bytes — so a rebuild can be
 * compared with what is committed.
 */
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { LABELS } from "../../../contract/prediction.js";
import { modelDigest, sha256Hex } from "./digest.js";
import { compareCodePoints, MANIFEST_FILE, type Manifest, parseManifest, serializeManifest } from "./manifest.js";

/** What to write; the descriptive fields default to placeholders, handy for test artifacts. */
export interface ArtifactSpec extends Pick<Manifest, "name" | "version" | "kind">, Partial<Omit<Manifest, "name" | "version" | "kind" | "files">> {
  /** File contents by artifact path (relative, '/'-separated). */
  files: Readonly<Record<string, string | Uint8Array>>;
}

export interface WrittenArtifact {
  dir: string;
  manifest: Manifest;
  /** The model digest `loadModel` will report, `sha256:<hex>`. */
  digest: string;
}

/**
 * Writes `spec` to `dir` (created if needed; files not in `spec` are removed
 * so no stale file survives a rebuild) and returns the validated manifest.
 */
export async function writeModelArtifact(dir: string, spec: ArtifactSpec): Promise<WrittenArtifact> {
  const encoded = Object.entries(spec.files).map(([p, content]) => {
    const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
    return { path: p, bytes };
  }).sort((x, y) => compareCodePoints(x.path, y.path));
  const manifest = parseManifest({
    description: `${spec.name} ${spec.version} (${spec.kind})`,
    labels: [...LABELS],
    sources: [{ name: "unspecified", url: "unspecified", licence: "unspecified" }],
    licence: "unspecified",
    created: "1970-01-01T00:00:00Z",
    ...spec,
    files: encoded.map((f) => ({ path: f.path, sha256: sha256Hex(f.bytes), bytes: f.bytes.byteLength })),
  });

  await mkdir(dir, { recursive: true });
  const keep = new Set([MANIFEST_FILE, ...encoded.map((f) => f.path.split("/")[0])]);
  for (const entry of await readdir(dir)) {
    if (!keep.has(entry)) await rm(path.join(dir, entry), { recursive: true, force: true });
  }
  for (const f of encoded) {
    const target = path.join(dir, f.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, f.bytes);
  }
  await writeFile(path.join(dir, MANIFEST_FILE), serializeManifest(manifest));
  return { dir, manifest, digest: modelDigest(manifest.files) };
}
