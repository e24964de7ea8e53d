/**
 * What the server needs from a loaded model. `loadModel(dir)` in
 * `./load.ts` reads `dir/manifest.json`, verifies every file's sha256 and
 * returns one of these, or throws `ModelLoadError` with a clear message.
 */
import type { Label } from "../../../contract/prediction.js";

export interface ModelOutput {
  prediction: Label;
  /** 0..1 */
  confidence: number;
}

export interface SentimentModel {
  name: string;
  version: string;
  /** Manifest `kind`, e.g. "afinn-lexicon" or "vader-rules". */
  kind: string;
  /** sha256 over the manifest's file digests, "sha256:<hex>"; reported by /health. */
  digest: string;
  predict(text: string): ModelOutput;
}

/** Raised when a model cannot be loaded: missing files, bad manifest, digest mismatch. */
export class ModelLoadError extends Error {
  override name = "ModelLoadError";
}
