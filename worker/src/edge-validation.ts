/**
 * Edge validation of /predict and /predict/batch (DESIGN.md §3): the same
 * zod schemas and limits as the model server (model-server/src/api.ts),
 * checked before any origin is contacted. The body is read with a byte cap
 * while it streams in, so an oversized or endless body costs at most
 * MAX_BODY_BYTES plus one chunk, never an unbounded buffer.
 */
import type { z } from "zod";
import {
  batchRequestSchema,
  issueDetails,
  MAX_BODY_BYTES,
  predictRequestSchema,
} from "../../model-server/src/api.js";
import { HttpError } from "./errors.js";

/** The validated prediction routes and their body kind. */
export const PREDICT_ROUTES = { "/predict": "single", "/predict/batch": "batch" } as const;
export type PredictKind = (typeof PREDICT_ROUTES)[keyof typeof PREDICT_ROUTES];

const schemaCache = new Map<string, z.ZodType>();

function schemaFor(kind: PredictKind, maxChars: number): z.ZodType {
  const key = `${kind}:${maxChars}`;
  let schema = schemaCache.get(key);
  if (schema === undefined) {
    schema = kind === "single" ? predictRequestSchema(maxChars) : batchRequestSchema(maxChars);
    schemaCache.set(key, schema);
  }
  return schema;
}

/** Throws 415 unless the request says its body is JSON. */
export function requireJson(request: Request): void {
  const type = request.headers.get("content-type");
  const media = type?.split(";")[0]?.trim().toLowerCase();
  if (media !== "application/json") {
    throw new HttpError("unsupported_media_type", "the body must be JSON: send content-type: application/json", {
      contentType: type,
    });
  }
}

/**
 * Reads the body, stopping (413) as soon as it passes `maxBytes` — checked
 * against content-length first and then while reading.
 */
export async function readBodyCapped(request: Request, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = () =>
    new HttpError("payload_too_large", `the body must be at most ${maxBytes} bytes`, { maxBytes });
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge();
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel("body too large").catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.byteLength;
  }
  return body;
}

/** Decodes a JSON body (400 on bad UTF-8 or bad JSON). */
export function parseJson(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new HttpError("invalid_request", "the body is not valid UTF-8");
  }
  if (text.trim() === "") throw new HttpError("invalid_request", "the body is empty; send a JSON object");
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError("invalid_request", "the body is not valid JSON", { parser: (err as Error).message });
  }
}

/**
 * Validates a prediction request; answers the exact bytes to forward.
 * 415 wrong content type, 413 too large, 400 bad UTF-8/JSON/shape.
 */
export async function validatePrediction(request: Request, kind: PredictKind, maxChars: number): Promise<Uint8Array> {
  requireJson(request);
  const bytes = await readBodyCapped(request, MAX_BODY_BYTES);
  const parsed = schemaFor(kind, maxChars).safeParse(parseJson(bytes));
  if (!parsed.success) {
    throw new HttpError("invalid_request", "the request body does not match the API", issueDetails(parsed.error));
  }
  return bytes;
}
