/**
 * The one typed error the routes throw for an expected failure (bad input,
 * auth, limits). `app.onError` maps it to its DESIGN.md §6 JSON answer;
 * anything else thrown is a bug and becomes a logged 500.
 */
import { ERROR_STATUS, type ErrorCode } from "./api.js";

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
