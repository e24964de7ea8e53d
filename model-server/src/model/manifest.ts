/**
 * `manifest.json` of a model artifact (`models/<name>/<version>/`): what the
 * model is, which kind of model code runs it, and every file it is made of
 * with its sha256 and size. Strict: an unknown field is an error, so a typo
 * in a manifest cannot silently drop a check.
 */
import { z } from "zod";
import { LABELS } from "../../../contract/prediction.js";

/** The model kinds this server can run; each has a builder in `./kinds/`. */
export const MODEL_KINDS = ["afinn-lexicon", "vader-rules"] as const;
export const ModelKind = z.enum(MODEL_KINDS);
export type ModelKind = z.infer<typeof ModelKind>;

/** Name of the manifest inside an artifact directory. */
export const MANIFEST_FILE = "manifest.json";

/** Largest single artifact file the loader will read (keeps a bad manifest from exhausting memory). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * A relative POSIX path inside the artifact directory: segments of
 * `[A-Za-z0-9._-]` (not starting with a dot), no `..`, no absolute paths, no
 * backslashes. The loader also checks the resolved real path stays inside.
 */
export const ArtifactPath = z
  .string()
  .min(1)
  .max(200)
  .refine((p) => p.split("/").every((s) => SEGMENT.test(s)), {
    message: "path must be relative, '/'-separated, segments of [A-Za-z0-9._-] not starting with '.'",
  })
  .refine((p) => p !== MANIFEST_FILE, { message: "the manifest must not list itself" });

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, { message: "sha256 must be 64 lowercase hex digits" });

export const ManifestFile = z.strictObject({
  path: ArtifactPath,
  sha256: Sha256Hex,
  bytes: z.number().int().nonnegative().max(MAX_FILE_BYTES),
});
export type ManifestFile = z.infer<typeof ManifestFile>;

/** Where the model's data comes from and under which licence (one entry per upstream). */
export const ManifestSource = z.strictObject({
  name: z.string().min(1),
  url: z.string().min(1),
  licence: z.string().min(1),
  notes: z.string().min(1).optional(),
});
export type ManifestSource = z.infer<typeof ManifestSource>;

const NAME = /^[a-z0-9][a-z0-9-]*$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const Manifest = z
  .strictObject({
    name: z.string().regex(NAME, { message: "name must be lowercase [a-z0-9-]" }),
    version: z.string().max(64).regex(VERSION, { message: "version must be [A-Za-z0-9._-], e.g. v2" }),
    kind: ModelKind,
    description: z.string().min(1),
    labels: z
      .array(z.enum(LABELS))
      .min(2)
      .refine((ls) => new Set(ls).size === ls.length, { message: "labels must be unique" }),
    files: z
      .array(ManifestFile)
      .min(1)
      .refine((fs) => new Set(fs.map((f) => f.path)).size === fs.length, { message: "file paths must be unique" }),
    sources: z.array(ManifestSource).min(1),
    licence: z.string().min(1),
    created: z.iso.datetime(),
  });
export type Manifest = z.infer<typeof Manifest>;

/** Validates parsed `manifest.json` content; throws a ZodError on any problem. */
export function parseManifest(value: unknown): Manifest {
  return Manifest.parse(value);
}

/** The canonical bytes of a manifest: fixed key order, 2-space JSON, trailing newline. */
export function serializeManifest(m: Manifest): string {
  const canonical: Manifest = {
    name: m.name,
    version: m.version,
    kind: m.kind,
    description: m.description,
    labels: [...m.labels],
    files: [...m.files]
      .sort((a, b) => compareCodePoints(a.path, b.path))
      .map((f) => ({ path: f.path, sha256: f.sha256, bytes: f.bytes })),
    sources: m.sources.map((s) =>
      s.notes === undefined
        ? { name: s.name, url: s.url, licence: s.licence }
        : { name: s.name, url: s.url, licence: s.licence, notes: s.notes },
    ),
    licence: m.licence,
    created: m.created,
  };
  return `${JSON.stringify(canonical, null, 2)}\n`;
}

/** Orders strings by UTF-16 code units, independent of locale (stable across machines). */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
