/**
 * Admin bearer auth (docs/architecture.md "Admin API"): `Authorization:
 * Bearer <ADMIN_TOKEN>`, compared in constant time — both sides are hashed
 * first, so tokens of a different length take the same path as wrong ones of
 * the right length. No ADMIN_TOKEN configured means nobody is admin (fail
 * closed).
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.js";
import { HttpError } from "../errors.js";

const encoder = new TextEncoder();

/** The token of an `Authorization: Bearer …` header, if any. */
export function bearerToken(header: string | null | undefined): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? "");
  return match?.[1];
}

/** Whether `presented` equals `expected`, in time independent of both. */
export async function tokenMatches(presented: string | undefined, expected: string | undefined): Promise<boolean> {
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(presented ?? "")),
    crypto.subtle.digest("SHA-256", encoder.encode(expected ?? "")),
  ]);
  const same = crypto.subtle.timingSafeEqual(a, b);
  return same && presented !== undefined && expected !== undefined;
}

/** Whether the request carries the admin token. */
export async function isAdmin(request: Request, adminToken: string | undefined): Promise<boolean> {
  return tokenMatches(bearerToken(request.headers.get("authorization")), adminToken);
}

/** The 401 every failed admin check answers. */
export function unauthorized(): HttpError {
  return new HttpError(
    "unauthorized",
    "missing or wrong admin token: send Authorization: Bearer <ADMIN_TOKEN>",
    undefined,
    { "www-authenticate": 'Bearer realm="bluegreen-admin"' },
  );
}

/** Middleware: only admins pass. */
export const adminAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!(await isAdmin(c.req.raw, c.get("config").adminToken))) throw unauthorized();
  await next();
};
