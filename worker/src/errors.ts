/**
 * Typed errors of the router and the one JSON error shape (contract/errors.ts).
 * Handlers throw `HttpError`; app.ts's onError turns it into an answer, and
 * anything else into a logged 500.
 */
import { ERROR_STATUS, errorBody, type ErrorCode } from "../../contract/errors.js";

/**
 * A known failure with its error code (contract/errors.ts); the status follows from the code. The
 * same class as the model server's, so the request-body checks shared with it
 * (contract/json-body.ts) throw errors the router's onError knows.
 */
export { ApiError as HttpError } from "../../contract/errors.js";

/** Builds a JSON error answer (the contract's envelope). */
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
