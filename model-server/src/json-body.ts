/**
 * Turns a request into a validated value: JSON content type (415), bounded
 * body (413), UTF-8 JSON (400), then the route's zod schema (400 with details).
 */
import type { z } from "zod";
import { issueDetails, MAX_BODY_BYTES } from "./api.js";
import { ApiError } from "./api-error.js";
import { readBodyWithLimit } from "./body-limit.js";

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json$/;

/** True for `application/json` and `application/*+json`, with any parameters. */
export function isJsonContentType(header: string | null): boolean {
  if (header === null) return false;
  const mediaType = header.split(";")[0]!.trim().toLowerCase();
  return JSON_TYPE.test(mediaType);
}

/** Reads, parses and validates a JSON request body; throws ApiError on bad input. */
export async function readJsonBody<S extends z.ZodType>(
  req: Request,
  schema: S,
  maxBytes: number = MAX_BODY_BYTES,
): Promise<z.infer<S>> {
  if (!isJsonContentType(req.headers.get("content-type"))) {
    throw new ApiError("unsupported_media_type", "Content-Type must be application/json");
  }
  const bytes = await readBodyWithLimit(req, maxBytes);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError("invalid_request", "request body is not valid UTF-8");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ApiError("invalid_request", "request body is not valid JSON", { reason: (err as Error).message });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ApiError("invalid_request", "request body is invalid", issueDetails(parsed.error));
  return parsed.data;
}
