/**
 * Typed errors of the router and the one JSON error shape of DESIGN.md §6.
 * Handlers throw `HttpError`; app.ts's onError turns it into an answer, and
 * anything else into a logged 500.
 */
import { ERROR_STATUS, errorBody, type ErrorCode } from "../../model-server/src/api.js";

/** A known failure with its §6 code; the status follows from the code. */
export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** Builds a §6 JSON error answer. */
export function errorResponse(
  code: ErrorCode,
  message: string,
  details?: unknown,
  headers?: Record<string, string>,
): Response {
  return Response.json(errorBody(code, message, details), {
    status: ERROR_STATUS[code],
    headers: { "cache-control": "no-store", ...headers },
  });
}
