/**
 * The model server's public entry: what its tests and tools outside
 * model-server/ may use, so that no other part reaches into model-server/src.
 * The HTTP contract itself is in contract/ (prediction.ts, errors.ts,
 * json-body.ts); run the server as a process through main.ts.
 */
export { createApp, type AppDeps } from "./src/app.js";
export { ConfigError, defaultModelDir, loadConfig, MODEL_SERVER_VARS, redactedConfig, type Config } from "./src/config.js";
export { ErrorWindow } from "./src/error-window.js";
export { FaultUpdate, Faults, parseSilentMode, type FaultSettings } from "./src/faults.js";
export { Lifecycle } from "./src/lifecycle.js";
export { createLogger } from "./src/logger.js";
export { PredictionMetrics } from "./src/metrics.js";
export { discardRest } from "./src/upload-drain.js";
export { evaluate } from "./src/model/evaluate.js";
export { readGoldenSet } from "./src/model/golden-set.js";
export { AFINN_FILES, afinnOutput, afinnScore, afinnTokens } from "./src/model/kinds/afinn-lexicon.js";
export { createVaderScorer, readVaderData, VADER_FILES, vaderOutput, type VaderData, type VaderRules } from "./src/model/kinds/vader-rules.js";
export { emojiKey, hasCapsDifferential, punctuationEmphasis, vaderTokens } from "./src/model/kinds/vader-text.js";
export { formatLexiconTsv, parseLexiconTsv } from "./src/model/lexicon-tsv.js";
export { loadModel } from "./src/model/load.js";
export { Manifest, parseManifest, serializeManifest } from "./src/model/manifest.js";
export { ModelLoadError, type ModelOutput, type SentimentModel } from "./src/model/types.js";
export { writeModelArtifact, type WrittenArtifact } from "./src/model/write-artifact.js";
