/**
 * Model kinds by manifest `kind`: which files each needs and how to build
 * its predict function from the verified file bytes. Adding a kind: write
 * `kinds/<kind>.ts`, add it here and to MODEL_KINDS in `../manifest.ts`.
 */
import type { ModelKind } from "../manifest.js";
import type { ModelOutput } from "../types.js";
import { AFINN_FILES, buildAfinnLexicon } from "./afinn-lexicon.js";
import type { ArtifactFiles } from "./artifact-files.js";
import { buildVaderRules, VADER_FILES } from "./vader-rules.js";

export interface KindBuilder {
  /** Paths the manifest must list for this kind (it may list more, e.g. licence texts). */
  requiredFiles: readonly string[];
  build(files: ArtifactFiles): (text: string) => ModelOutput;
}

export const KIND_BUILDERS: Record<ModelKind, KindBuilder> = {
  "afinn-lexicon": { requiredFiles: Object.values(AFINN_FILES), build: buildAfinnLexicon },
  "vader-rules": { requiredFiles: Object.values(VADER_FILES), build: buildVaderRules },
};
