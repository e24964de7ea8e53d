/**
 * Turns a request into a validated value: JSON content type (415), bounded
 * body (413), UTF-8 JSON (400), then the route's zod schema (400 with
 * details). Web-standard only (Request, TextDecoder), so the router's edge
 * validation runs the very same checks as the model server.
 */
import * as z from "zod/mini";
import { readBodyWithLimit, type BodyLimitOptions } from "./body-limit.js";
import { ApiError, issueDetails } from "./errors.js";
import { MAX_BODY_BYTES } from "./prediction.js";

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json$/;

/** True for `application/json` and `application/*+json`, with any parameters. */
export function isJsonContentType(header: string | null): boolean {
  if (header === null) return false;
  const mediaType = header.split(";")[0]!.trim().toLowerCase();
  return JSON_TYPE.test(mediaType);
}

/** Throws ApiError 415 unless the request says its body is JSON. */
export function requireJsonContentType(req: Request): void {
  if (!isJsonContentType(req.headers.get("content-type"))) {
    throw new ApiError("unsupported_media_type", "Content-Type must be application/json");
  }
}

/** Decodes UTF-8 JSON bytes; throws ApiError 400 on bad UTF-8 or bad JSON. */
export function decodeJson(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError("invalid_request", "request body is not valid UTF-8");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiError("invalid_request", "request body is not valid JSON", { reason: (err as Error).message });
  }
}

/** Validates `value` against `schema` (zod/mini or classic zod); throws ApiError 400 with `message` and the issues. */
export function parseWith<S extends z.core.$ZodType>(schema: S, value: unknown, message = "request body is invalid"): z.output<S> {
  const parsed = z.safeParse(schema, value);
  if (!parsed.success) throw new ApiError("invalid_request", message, issueDetails(parsed.error));
  return parsed.data;
}

/** Reads, parses and validates a JSON request body; throws ApiError on bad input. */
export async function readJsonBody<S extends z.core.$ZodType>(
  req: Request,
  schema: S,
  maxBytes: number = MAX_BODY_BYTES,
  options: BodyLimitOptions = {},
): Promise<z.output<S>> {
  requireJsonContentType(req);
  return parseWith(schema, decodeJson(await readBodyWithLimit(req, maxBytes, options)));
}
