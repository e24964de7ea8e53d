/**
 * The one JSON error shape of every HTTP answer that is not a success —
 * `{"error":{"code","message","details"?}}` — its codes with the status each
 * is answered with, and the typed error the model server and the router
 * throw for an expected failure (docs/architecture.md "Error codes").
 */
import * as z from "zod/mini";
import "./zod-messages.js";

/** Every error code, with the HTTP status it is answered with. */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal: 500,
  /** The Worker's vars do not parse: a deployment bug, fixed in wrangler.toml, never by retrying. */
  misconfigured: 500,
  bad_gateway: 502,
  unavailable: 503,
  timeout: 504,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

/** The error envelope. */
export const ErrorBody = z.strictObject({
  error: z.strictObject({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    details: z.optional(z.unknown()),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Builds the JSON error body. */
export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** One problem of a request, as `details` lists it. */
export interface IssueDetail {
  path: string;
  message: string;
}

/** Turns zod issues (classic or mini) into a short, client-readable `details` list. */
export function issueDetails(error: { issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string }> }): IssueDetail[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join(".") || "(body)", message: i.message }));
}

/**
 * The one typed error a handler throws for an expected failure (bad input,
 * auth, limits, conflicts). Each program's error handler maps it to its JSON
 * answer; anything else thrown is a bug and becomes a logged 500.
 */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, e.g. `Allow` on 405. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** The HTTP status of this error's code. */
  get status(): (typeof ERROR_STATUS)[ErrorCode] {
    return ERROR_STATUS[this.code];
  }
}
