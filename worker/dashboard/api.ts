/**
 * The dashboard's calls to the admin API (docs/architecture.md "Admin API"):
 * the token only as a bearer header, never a cookie (credentials omitted) or
 * a referrer; request bodies typed by the contract; every answer parsed with
 * the contract's schema, so an answer the router does not send (contract
 * drift) is an error on the page, not a blank field; an error answer's
 * message (`{"error":{"code","message"}}`) shown as the API wrote it.
 */
import type * as z from "zod/mini";
import type { FlipBody, RollbackBody } from "../../contract/admin.js";
import { ErrorBody, issueDetails } from "../../contract/errors.js";
import { storedToken } from "./token.js";

/** Who the history names for changes made here (x-bluegreen-actor). */
const ACTOR = "dashboard";

/** The API refused the call, or could not be reached (status 0). */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    /** HTTP status; 0 when no answer came. */
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The API answered 2xx with a body its contract schema does not accept. */
export class ContractMismatch extends Error {
  override name = "ContractMismatch";
}

/** What the refusal says, or an HTTP status line when the body is not the error envelope. */
function refusal(status: number, json: unknown): ApiError {
  const parsed = ErrorBody.safeParse(json);
  return parsed.success ? new ApiError(status, parsed.data.error.code, parsed.data.error.message) : new ApiError(status, `http_${status}`, `HTTP ${status}`);
}

/**
 * Calls the admin API with the stored token and parses the answer with
 * `answer`; throws ApiError (401 without a token, the API's refusal, status
 * 0 when unreachable) or ContractMismatch.
 */
export async function api<T>(method: "GET" | "POST", path: string, answer: z.ZodMiniType<T>, body?: FlipBody | RollbackBody): Promise<T> {
  const token = storedToken();
  if (!token) throw new ApiError(401, "unauthorized", "Enter the admin token.");
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "application/json" };
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    headers["x-bluegreen-actor"] = ACTOR;
  }
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
      referrerPolicy: "no-referrer",
    });
  } catch (err) {
    throw new ApiError(0, "unreachable", `The router could not be reached (${err instanceof Error && err.message ? err.message : "network error"}).`);
  }
  let json: unknown = null;
  try {
    json = await res.json();
  } catch {
    json = null;
  }
  if (!res.ok) throw refusal(res.status, json);
  const parsed = answer.safeParse(json);
  if (!parsed.success) {
    const issues = issueDetails(parsed.error).slice(0, 3).map((i) => `${i.path}: ${i.message}`);
    throw new ContractMismatch(`the answer of ${method} ${path.split("?")[0]} does not match the contract (${issues.join("; ")})`);
  }
  return parsed.data;
}
