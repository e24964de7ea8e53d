/**
 * The prediction API (docs/architecture.md "Prediction API"): the request
 * bodies and limits the router validates at the edge, the labels, the
 * answers the origin contract requires of any model server (`Prediction`,
 * `BatchResponse`), and the richer answers of bluegreen's own model server
 * (`SentimentPrediction`, `HealthyResponse`, `ReadyResponse`, …).
 */
import * as z from "zod/mini";
import "./zod-messages.js";

/** Largest request body any /predict route accepts (413 above it). */
export const MAX_BODY_BYTES = 64 * 1024;
/** Default longest `text`, in characters (MAX_TEXT_CHARS of the model server and of the router). */
export const DEFAULT_MAX_TEXT_CHARS = 10_000;
/** Most texts in one /predict/batch request. */
export const MAX_BATCH_TEXTS = 64;

export const LABELS = ["positive", "negative", "neutral"] as const;
export const Label = z.enum(LABELS);
export type Label = z.infer<typeof Label>;

/** A non-blank text of at most `maxChars` characters. */
export function textSchema(maxChars: number = DEFAULT_MAX_TEXT_CHARS) {
  return z.string({ error: "text must be a string" }).check(
    z.refine((s) => s.trim().length > 0, { message: "text must not be empty or blank" }),
    z.refine((s) => s.length <= maxChars, { message: `text must be at most ${maxChars} characters` }),
  );
}

/**
 * `POST /predict` body. Unknown fields are ignored, as the seed's FastAPI
 * (pydantic) server did, so existing clients keep working.
 */
export function predictRequestSchema(maxChars: number = DEFAULT_MAX_TEXT_CHARS) {
  return z.object({ text: textSchema(maxChars) });
}

/** `POST /predict/batch` body: 1..64 texts. */
export function batchRequestSchema(maxChars: number = DEFAULT_MAX_TEXT_CHARS) {
  return z.object({
    texts: z.array(textSchema(maxChars), { error: "texts must be an array of strings" }).check(
      z.minLength(1, { message: "texts must hold at least 1 text" }),
      z.maxLength(MAX_BATCH_TEXTS, { message: `texts must hold at most ${MAX_BATCH_TEXTS} texts` }),
    ),
  });
}

export const PredictRequest = predictRequestSchema();
export type PredictRequest = z.infer<typeof PredictRequest>;
export const BatchRequest = batchRequestSchema();
export type BatchRequest = z.infer<typeof BatchRequest>;

const share = z.number().check(z.gte(0), z.lte(1));

/**
 * One prediction, the answer of `POST /predict`, as the origin contract
 * requires it of any model server (docs/architecture.md "Bring your own
 * model server"): a `prediction` string and the `model_version` that made
 * it; `confidence` is optional. Other fields are ignored.
 */
export const Prediction = z.object({
  prediction: z.string().check(z.minLength(1)),
  model_version: z.string().check(z.minLength(1)),
  confidence: z.optional(share),
});
export type Prediction = z.infer<typeof Prediction>;

/** The answer of `POST /predict/batch` (an optional route): one prediction per text, in order. */
export const BatchResponse = z.object({ predictions: z.array(Prediction) });
export type BatchResponse = z.infer<typeof BatchResponse>;

/** A prediction of bluegreen's own model server: always one of `LABELS`, always with a confidence. */
export const SentimentPrediction = z.object({
  prediction: Label,
  confidence: share,
  model_version: z.string().check(z.minLength(1)),
});
export type SentimentPrediction = z.infer<typeof SentimentPrediction>;

/** `POST /predict/batch` of bluegreen's own model server. */
export const SentimentBatchResponse = z.object({ predictions: z.array(SentimentPrediction) });
export type SentimentBatchResponse = z.infer<typeof SentimentBatchResponse>;

/**
 * `GET /health` (200) of bluegreen's own model server when it is ready to
 * serve. Other servers need answer only a 2xx (contract/origin.ts
 * `judgeHealth` reads any /health).
 */
export const HealthyResponse = z.object({
  status: z.literal("healthy"),
  model_version: z.string(),
  model_name: z.string(),
  model_digest: z.string(),
  uptime_seconds: z.number().check(z.nonnegative()),
  request_count: z.int().check(z.nonnegative()),
  /** Share of predictions that failed over the last `error_window_seconds`. */
  error_rate: share,
  error_window_seconds: z.int().check(z.positive()),
});
export type HealthyResponse = z.infer<typeof HealthyResponse>;

/** `GET /health` (503) while loading, warming up or draining. */
export const UnhealthyResponse = z.object({
  status: z.literal("unhealthy"),
  reason: z.string(),
});
export type UnhealthyResponse = z.infer<typeof UnhealthyResponse>;
export const HealthResponse = z.union([HealthyResponse, UnhealthyResponse]);
export type HealthResponse = z.infer<typeof HealthResponse>;

/** `GET /ready` when the model is loaded and warm (a 503 answers the error envelope). */
export const ReadyResponse = z.object({
  status: z.literal("ready"),
  model_version: z.string(),
});
export type ReadyResponse = z.infer<typeof ReadyResponse>;
