/**
 * Edge validation of /predict and /predict/batch (docs/architecture.md
 * "Router"): the same zod schemas and limits as the model server
 * (contract/prediction.ts), checked before any origin is contacted. The body
 * is read with a byte cap while it streams in, so an oversized or endless
 * body costs at most MAX_BODY_BYTES plus one chunk, never an unbounded
 * buffer.
 */
import type * as z from "zod/mini";
import { decodeJson, parseWith, requireJsonContentType } from "../../contract/json-body.js";
import { batchRequestSchema, MAX_BODY_BYTES, predictRequestSchema } from "../../contract/prediction.js";
import { readBodyCapped } from "./edge-body.js";

/** The validated prediction routes and their body kind. */
export const PREDICT_ROUTES = { "/predict": "single", "/predict/batch": "batch" } as const;
export type PredictKind = (typeof PREDICT_ROUTES)[keyof typeof PREDICT_ROUTES];

const schemaCache = new Map<string, z.core.$ZodType>();

function schemaFor(kind: PredictKind, maxChars: number): z.core.$ZodType {
  const key = `${kind}:${maxChars}`;
  let schema = schemaCache.get(key);
  if (schema === undefined) {
    schema = kind === "single" ? predictRequestSchema(maxChars) : batchRequestSchema(maxChars);
    schemaCache.set(key, schema);
  }
  return schema;
}

/**
 * Validates a prediction request; answers the exact bytes to forward.
 * 415 wrong content type, 413 too large, 400 bad UTF-8/JSON/shape.
 */
export async function validatePrediction(request: Request, kind: PredictKind, maxChars: number): Promise<Uint8Array> {
  requireJsonContentType(request);
  const bytes = await readBodyCapped(request, MAX_BODY_BYTES);
  parseWith(schemaFor(kind, maxChars), decodeJson(bytes));
  return bytes;
}
