/**
 * The headers that cross the router, each way in one pass: what an origin
 * request carries (the client's end-to-end headers minus its credentials and
 * the router's control headers, plus x-origin-token and x-request-id), and
 * which of an origin's answer headers the client must not get (hop-by-hop).
 * The request side is one loop over the client's headers into a record the
 * runtime copies once, not a `new Headers` copy followed by a dozen deletes
 * (measured: the copy-and-delete was the router's largest header cost).
 */

/** Hop-by-hop headers (RFC 9110 §7.6.1) plus ones the runtime sets itself. */
export const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
] as const;

/**
 * Headers that never reach an origin: the router's own control headers, and
 * the client's credentials (origins authenticate the router by x-origin-token,
 * never a client; a preview's Authorization is the admin token).
 */
export const NEVER_FORWARDED = ["x-origin-token", "x-bluegreen-preview", "x-bluegreen-actor", "x-bluegreen-shadow", "authorization", "cookie"] as const;

/** Dropped from what a client sent; x-request-id is replaced by the router's (app.ts). */
const NOT_TO_ORIGIN: ReadonlySet<string> = new Set<string>([...HOP_BY_HOP, ...NEVER_FORWARDED, "x-request-id"]);

export interface OriginHeaderOptions {
  requestId: string;
  originToken: string | undefined;
  /** The admin token: no header that holds it is forwarded. */
  adminToken: string | undefined;
}

/** Connection values that name no header beyond the fixed hop-by-hop ones (nearly every request and answer). */
const PLAIN_CONNECTION: ReadonlySet<string> = new Set(["keep-alive", "close", "Keep-Alive", "Close"]);

/** The header names a Connection header lists (they are hop-by-hop too), lower-cased. */
export function connectionListed(connection: string): string[] {
  if (PLAIN_CONNECTION.has(connection)) return [];
  const names: string[] = [];
  for (const part of connection.split(",")) {
    const name = part.trim().toLowerCase();
    if (name !== "") names.push(name);
  }
  return names;
}

/**
 * The headers an origin request carries, as a record. Iterating Headers
 * yields lower-case names, repeated fields joined by ", ". A plain object
 * keeps V8's fast properties, which the Request constructor reads faster
 * than a dictionary (a header named "__proto__" cannot be a key of it and
 * is not forwarded).
 */
export function originRequestHeaders(incoming: Headers, opts: OriginHeaderOptions): Record<string, string> {
  const out: Record<string, string> = {};
  const secret = opts.adminToken;
  const secretName = secret?.toLowerCase();
  let connection: string | null = null;
  for (const [name, value] of incoming) {
    if (NOT_TO_ORIGIN.has(name)) {
      if (name === "connection") connection = value;
      continue;
    }
    // A client may paste the admin token anywhere, even into a header's name.
    if (secret !== undefined && (value.includes(secret) || name.includes(secretName!))) continue;
    out[name] = value;
  }
  if (connection !== null) for (const name of connectionListed(connection)) if (Object.hasOwn(out, name)) delete out[name];
  if (opts.originToken !== undefined) out["x-origin-token"] = opts.originToken;
  out["x-request-id"] = opts.requestId;
  return out;
}

/** Deletes the hop-by-hop headers (and those the Connection header names) from an answer's own, mutable headers. */
export function dropHopByHop(headers: Headers): void {
  const connection = headers.get("connection");
  for (const name of HOP_BY_HOP) headers.delete(name);
  if (connection !== null) for (const name of connectionListed(connection)) headers.delete(name);
}
