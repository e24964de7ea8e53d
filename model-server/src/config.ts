/**
 * Model-server configuration from the environment, declared with the
 * contract's env helpers (contract/env.ts): unset or blank means the
 * default (docker-compose's `${VAR:-}` gives blanks), and a bad value is a
 * ConfigError naming the var (never the origin token's value).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { boolVar, ConfigError, intVar, parseEnv, positiveVar, rateVar, secretVar, textVar } from "../../contract/env.js";
import { DEFAULT_MAX_TEXT_CHARS } from "../../contract/prediction.js";
import { parseSilentMode } from "./faults.js";

export { ConfigError };

/**
 * Candidate locations of the shipped artifacts, relative to this file: the
 * source layout (model-server/src/config.ts) and the built one
 * (dist/model-server/src/config.js, with model-server/models beside dist/).
 */
const SHIPPED_MODEL_DIRS = ["../models", "../../../model-server/models"];

/** The shipped `model-server/models`, resolved from this file, not the cwd. */
export function defaultModelDir(): string {
  const candidates = SHIPPED_MODEL_DIRS.map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0]!;
}

function silentModeProblem(s: string): string | null {
  try {
    parseSilentMode(s);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A path segment: no slashes, no "..", so `$MODEL_DIR/$NAME/$VERSION` stays inside MODEL_DIR. */
function segmentProblem(s: string): string | null {
  if (!SEGMENT.test(s)) return "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit";
  return s.includes("..") ? "must not contain '..'" : null;
}

/** The model server's vars, each with its default. */
export const MODEL_SERVER_VARS = {
  /** Listen port (0: any free port; the `listening` log line names it). */
  PORT: intVar({ default: 8000, min: 0, max: 65_535 }),
  /** Listen address. */
  HOST: textVar({ default: "127.0.0.1" }),
  MODEL_NAME: textVar({ default: "sentiment", problem: segmentProblem }),
  MODEL_VERSION: textVar({ default: "v1", problem: segmentProblem }),
  /** Artifacts root; the model is loaded from `MODEL_DIR/MODEL_NAME/MODEL_VERSION`. */
  MODEL_DIR: textVar({ defaultText: "model-server/models" }),
  MAX_TEXT_CHARS: intVar({ default: DEFAULT_MAX_TEXT_CHARS, min: 1, max: 1_000_000 }),
  /** When set, /predict* and /fault need `x-origin-token`. */
  ORIGIN_TOKEN: secretVar(),
  /** Share of predictions answered 500 (drills). */
  FAULT_RATE: rateVar({ default: 0 }),
  /** Delay added to every prediction (drills). */
  FAULT_LATENCY_MS: intVar({ default: 0, min: 0, max: 600_000 }),
  /** Share of predictions answered 200 with a wrong label (drills of the prediction-drift rule). */
  FAULT_SILENT_RATE: rateVar({ default: 0 }),
  /** How the wrong label is chosen: `constant:<label>`, `swap:<a>,<b>` or `random`. */
  FAULT_SILENT_MODE: textVar({ default: "random", problem: silentModeProblem }),
  /** The wrong answers' confidence (0..1); unset keeps the model's own. */
  FAULT_SILENT_CONFIDENCE: positiveVar({ default: null, max: 1 }),
  /** Mounts `GET/PUT /fault`. */
  FAULT_CONTROL: boolVar({ default: false }),
  /** The window of /health's `error_rate`. */
  ERROR_WINDOW_SECONDS: intVar({ default: 60, min: 1, max: 3_600 }),
  /** How long SIGTERM waits for in-flight requests. */
  SHUTDOWN_GRACE_MS: intVar({ default: 10_000, min: 0, max: 600_000 }),
};

export interface Config {
  port: number;
  host: string;
  modelName: string;
  modelVersion: string;
  /** Artifacts root; the model is loaded from `modelDir/modelName/modelVersion`. */
  modelDir: string;
  maxTextChars: number;
  /** When set, /predict* and /fault need `x-origin-token`. Never logged. */
  originToken: string | undefined;
  faultRate: number;
  faultLatencyMs: number;
  faultSilentRate: number;
  faultSilentMode: string;
  faultSilentConfidence: number | null;
  faultControl: boolean;
  errorWindowSeconds: number;
  /** How long SIGTERM waits for in-flight requests before giving up. */
  shutdownGraceMs: number;
}

/** Parses and validates the model-server env; throws ConfigError. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const e = parseEnv("model-server configuration", MODEL_SERVER_VARS, env);
  return {
    port: e.PORT,
    host: e.HOST,
    modelName: e.MODEL_NAME,
    modelVersion: e.MODEL_VERSION,
    modelDir: e.MODEL_DIR ?? defaultModelDir(),
    maxTextChars: e.MAX_TEXT_CHARS,
    originToken: e.ORIGIN_TOKEN,
    faultRate: e.FAULT_RATE,
    faultLatencyMs: e.FAULT_LATENCY_MS,
    faultSilentRate: e.FAULT_SILENT_RATE,
    faultSilentMode: e.FAULT_SILENT_MODE,
    faultSilentConfidence: e.FAULT_SILENT_CONFIDENCE,
    faultControl: e.FAULT_CONTROL,
    errorWindowSeconds: e.ERROR_WINDOW_SECONDS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
  };
}

/** The config as it may be logged: the origin token reduced to whether it is set. */
export function redactedConfig(config: Config): Record<string, unknown> {
  const { originToken, ...rest } = config;
  return { ...rest, originToken: originToken === undefined ? "unset" : "set" };
}
