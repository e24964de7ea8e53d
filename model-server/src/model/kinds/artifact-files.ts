/**
 * Typed access to the verified bytes of an artifact's files, for the model
 * kind builders. Every failure is a ModelLoadError that names the file.
 */
import type { z } from "zod";
import { LexiconFormatError, parseLexiconTsv } from "../lexicon-tsv.js";
import { ModelLoadError } from "../types.js";

/** Artifact path → file bytes, already checked against the manifest's sha256. */
export type ArtifactFiles = ReadonlyMap<string, Uint8Array>;

/** The file's bytes decoded as strict UTF-8. */
export function textFile(files: ArtifactFiles, path: string): string {
  const bytes = files.get(path);
  if (bytes === undefined) throw new ModelLoadError(`${path}: required by this model kind but not listed in the manifest`);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ModelLoadError(`${path}: not valid UTF-8`);
  }
}

/** The file parsed as JSON and validated with `schema`. */
export function jsonFile<T>(files: ArtifactFiles, path: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(textFile(files, path));
  } catch (err) {
    if (err instanceof ModelLoadError) throw err;
    throw new ModelLoadError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new ModelLoadError(`${path}: invalid (${issues})`);
  }
  return parsed.data;
}

/** The file parsed as a lexicon TSV (token → valence). */
export function lexiconFile(files: ArtifactFiles, path: string): Map<string, number> {
  try {
    return parseLexiconTsv(textFile(files, path), path);
  } catch (err) {
    if (err instanceof LexiconFormatError) throw new ModelLoadError(err.message);
    throw err;
  }
}
