/**
 * Edge validation of /predict and /predict/batch: the same zod schemas and
 * limits as the model server (contract/prediction.ts), checked before any
 * origin is contacted. The body is read with a byte cap (edge-body.ts), so an
 * oversized or endless body costs at most MAX_BODY_BYTES plus one chunk,
 * never an unbounded buffer.
 *
 * Reading (`readPrediction`) and checking (`checkPrediction`) are apart so
 * that the traffic path awaits the body once and checks it synchronously.
 * The schemas are the rules; a valid body is recognised by `acceptsFast`,
 * which checks exactly those rules without zod's machinery (the hot path's
 * cost, measured in docs/benchmarks.md). Anything it does not accept is
 * parsed by the schema, whose verdict and messages are the answer, so a
 * difference between the two can only make a request slower, never let a
 * bad one through: test/worker/edge-validation.test.ts holds them to the
 * same verdicts.
 */
import type * as z from "zod/mini";
import { decodeJson, parseWith, requireJsonContentType } from "../../contract/json-body.js";
import { batchRequestSchema, MAX_BATCH_TEXTS, MAX_BODY_BYTES, predictRequestSchema } from "../../contract/prediction.js";
import { readBodyCapped } from "./edge-body.js";

/** The validated prediction routes and their body kind. */
export const PREDICT_ROUTES = { "/predict": "single", "/predict/batch": "batch" } as const;
export type PredictKind = (typeof PREDICT_ROUTES)[keyof typeof PREDICT_ROUTES];

const schemas: Record<PredictKind, { maxChars: number; schema: z.core.$ZodType } | undefined> = { single: undefined, batch: undefined };

/** The contract's schema of `kind` for `maxChars` (built once per value; MAX_TEXT_CHARS is one per deployment). */
export function schemaFor(kind: PredictKind, maxChars: number): z.core.$ZodType {
  let entry = schemas[kind];
  if (entry === undefined || entry.maxChars !== maxChars) {
    entry = { maxChars, schema: kind === "single" ? predictRequestSchema(maxChars) : batchRequestSchema(maxChars) };
    schemas[kind] = entry;
  }
  return entry.schema;
}

/** A text the contract accepts: a string, not blank, at most `maxChars` UTF-16 units (textSchema). */
function isText(value: unknown, maxChars: number): boolean {
  return typeof value === "string" && value.length <= maxChars && value.trim().length > 0;
}

/**
 * Whether `value` is a valid body of `kind` by the contract's rules (an
 * object — not null, not an array — with a valid `text`, or with `texts`:
 * an array of 1..MAX_BATCH_TEXTS valid texts; other fields ignored). False
 * means "ask the schema", which has the last word.
 */
export function acceptsFast(kind: PredictKind, value: unknown, maxChars: number): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  if (kind === "single") return isText((value as { text?: unknown }).text, maxChars);
  const texts = (value as { texts?: unknown }).texts;
  if (!Array.isArray(texts) || texts.length < 1 || texts.length > MAX_BATCH_TEXTS) return false;
  for (const text of texts) if (!isText(text, maxChars)) return false;
  return true;
}

// One decoder for every request: fatal (bad UTF-8 throws), a leading BOM dropped, as decodeJson's.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** The body's JSON value; on any failure decodeJson gives the contract's 400 for it. */
function jsonOf(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(utf8.decode(bytes)) as unknown;
  } catch {
    return decodeJson(bytes);
  }
}

/**
 * Reads a prediction request's body: throws 415 unless it says JSON; the
 * promise rejects with 413 past MAX_BODY_BYTES. `headers` is the request's,
 * already read by the caller.
 */
export function readPrediction(request: Request, headers: Headers = request.headers): Promise<Uint8Array> {
  requireJsonContentType(request);
  return readBodyCapped(request, MAX_BODY_BYTES, headers);
}

/**
 * Checks a prediction body of `kind`: 400 for bad UTF-8, bad JSON or a shape
 * the contract refuses. Answers how many predictions the answer will carry
 * (1, or the batch's number of texts).
 */
export function checkPrediction(kind: PredictKind, bytes: Uint8Array, maxChars: number): number {
  const value = jsonOf(bytes);
  if (!acceptsFast(kind, value, maxChars)) parseWith(schemaFor(kind, maxChars), value);
  return kind === "single" ? 1 : (value as { texts: unknown[] }).texts.length;
}
