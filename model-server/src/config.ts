/**
 * Model-server configuration from the environment (DESIGN.md §2), validated
 * with zod. Empty strings count as unset, as docker-compose's `${VAR:-}` gives.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { DEFAULT_MAX_TEXT_CHARS } from "./api.js";

/**
 * Candidate locations of the shipped artifacts, relative to this file: the
 * source layout (model-server/src/config.ts) and the built one
 * (dist/model-server/config.js, with model-server/models beside dist/).
 */
const SHIPPED_MODEL_DIRS = ["../models", "../../model-server/models"];

/** The shipped `model-server/models`, resolved from this file, not the cwd. */
export function defaultModelDir(): string {
  const candidates = SHIPPED_MODEL_DIRS.map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0]!;
}

/** A path segment: no slashes, no "..", so `$MODEL_DIR/$NAME/$VERSION` stays inside MODEL_DIR. */
const segment = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
  .refine((s) => !s.includes(".."), "must not contain '..'");

const intIn = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const rate = z
  .string()
  .regex(/^(\d+(\.\d*)?|\.\d+)$/, "must be a number between 0 and 1")
  .transform(Number)
  .pipe(z.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1"));

const flag = z.enum(["0", "1", "true", "false"], { error: "must be 1/true or 0/false" }).transform((v) => v === "1" || v === "true");

export const ConfigEnv = z.object({
  PORT: intIn(0, 65_535).default(8000),
  HOST: z.string().min(1).default("127.0.0.1"),
  MODEL_NAME: segment.default("sentiment"),
  MODEL_VERSION: segment.default("v1"),
  MODEL_DIR: z.string().min(1).optional(),
  MAX_TEXT_CHARS: intIn(1, 1_000_000).default(DEFAULT_MAX_TEXT_CHARS),
  ORIGIN_TOKEN: z.string().min(1).optional(),
  FAULT_RATE: rate.default(0),
  FAULT_LATENCY_MS: intIn(0, 600_000).default(0),
  FAULT_CONTROL: flag.default(false),
  ERROR_WINDOW_SECONDS: intIn(1, 3_600).default(60),
  SHUTDOWN_GRACE_MS: intIn(0, 600_000).default(10_000),
});

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
  faultControl: boolean;
  errorWindowSeconds: number;
  /** How long SIGTERM waits for in-flight requests before giving up. */
  shutdownGraceMs: number;
}

/** Raised for a bad environment; `issues` name the variables, never their secret values. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly issues: string[]) {
    super(`invalid configuration: ${issues.join("; ")}`);
  }
}

/** Parses and validates the model-server env; throws ConfigError. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const present = Object.fromEntries(
    Object.keys(ConfigEnv.shape)
      .map((k) => [k, env[k]] as const)
      .filter(([, v]) => v !== undefined && v !== ""),
  );
  const parsed = ConfigEnv.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`));
  }
  const e = parsed.data;
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
