/**
 * Origin-token check for /predict* and /fault (docs/architecture.md
 * "Prediction API"): only the router (or an operator) holding ORIGIN_TOKEN
 * may call them. Compared in constant time over sha256 digests, so neither
 * content nor length leaks by timing.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../../contract/errors.js";

export const ORIGIN_TOKEN_HEADER = "x-origin-token";

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

/** Constant-time equality of two strings of any length. */
export function tokensEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** Middleware: 401 unless `x-origin-token` matches `token`; a no-op when `token` is undefined. */
export function requireOriginToken(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (token !== undefined) {
      const given = c.req.header(ORIGIN_TOKEN_HEADER);
      if (given === undefined || !tokensEqual(given, token)) {
        throw new ApiError("unauthorized", `missing or wrong ${ORIGIN_TOKEN_HEADER} header`);
      }
    }
    await next();
  };
}
