/**
 * The model-server HTTP contract (DESIGN.md §2, §6), shared by the model
 * server, the router Worker's edge validation and the CLI's response checks.
 * Runtime-agnostic: zod only, no Node or Workers APIs.
 */
import { z } from "zod";

/** Largest request body any /predict route accepts (413 above it). */
export const MAX_BODY_BYTES = 64 * 1024;
/** Default longest `text`, in characters; configurable per server/router. */
export const DEFAULT_MAX_TEXT_CHARS = 10_000;
/** Most texts in one /predict/batch request. */
export const MAX_BATCH_TEXTS = 64;

export const LABELS = ["positive", "negative", "neutral"] as const;
export const Label = z.enum(LABELS);
export type Label = z.infer<typeof Label>;

/** A non-blank text of at most `maxChars` characters. */
export function textSchema(maxChars: number = DEFAULT_MAX_TEXT_CHARS) {
  return z
    .string({ error: "text must be a string" })
    .refine((s) => s.trim().length > 0, { message: "text must not be empty or blank" })
    .refine((s) => s.length <= maxChars, { message: `text must be at most ${maxChars} characters` });
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
    texts: z
      .array(textSchema(maxChars), { error: "texts must be an array of strings" })
      .min(1, { message: "texts must hold at least 1 text" })
      .max(MAX_BATCH_TEXTS, { message: `texts must hold at most ${MAX_BATCH_TEXTS} texts` }),
  });
}

export const PredictRequest = predictRequestSchema();
export type PredictRequest = z.infer<typeof PredictRequest>;
export const BatchRequest = batchRequestSchema();
export type BatchRequest = z.infer<typeof BatchRequest>;

export const Prediction = z.object({
  prediction: Label,
  confidence: z.number().min(0).max(1),
  model_version: z.string().min(1),
});
export type Prediction = z.infer<typeof Prediction>;

export const BatchResponse = z.object({ predictions: z.array(Prediction) });
export type BatchResponse = z.infer<typeof BatchResponse>;

export const HealthyResponse = z.object({
  status: z.literal("healthy"),
  model_version: z.string(),
  model_name: z.string(),
  model_digest: z.string(),
  uptime_seconds: z.number().nonnegative(),
  request_count: z.number().int().nonnegative(),
  error_rate: z.number().min(0).max(1),
});
export type HealthyResponse = z.infer<typeof HealthyResponse>;

export const UnhealthyResponse = z.object({
  status: z.literal("unhealthy"),
  reason: z.string(),
});
export const HealthResponse = z.union([HealthyResponse, UnhealthyResponse]);
export type HealthResponse = z.infer<typeof HealthResponse>;

/** `GET /ready` when the model is loaded and warm (503 answers use the §6 error shape). */
export const ReadyResponse = z.object({
  status: z.literal("ready"),
  model_version: z.string(),
});
export type ReadyResponse = z.infer<typeof ReadyResponse>;

/** Error codes of DESIGN.md §6, with the status each one is answered with. */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal: 500,
  misconfigured: 500,
  bad_gateway: 502,
  unavailable: 503,
  timeout: 504,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Builds the JSON error body of DESIGN.md §6. */
export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Turns zod issues into a short, client-readable `details` list. */
export function issueDetails(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((i) => ({ path: i.path.join(".") || "(body)", message: i.message }));
}
