/**
 * The minimal origin contract (docs/architecture.md "Bring your own model
 * server"): what any model server must answer to sit behind the router, and
 * the one rule that reads its `GET /health`. The controller's probes and
 * `bluegreen validate` both judge /health with `judgeHealth`, so a server
 * the controller calls healthy is one validate calls healthy too.
 */
import * as z from "zod/mini";
import "./zod-messages.js";

/** Where the origin contract is written down; error messages about an origin point here. */
export const ORIGIN_CONTRACT_DOC = "docs/architecture.md#bring-your-own-model-server";

/** An optional field read leniently: absent, or of another type, it is "not reported". */
function reported<T extends z.core.$ZodType>(schema: T) {
  return z.catch(z.optional(schema), undefined);
}

const shortText = z.string().check(z.minLength(1), z.maxLength(200));

/**
 * What is read from a `/health` body when it is a JSON object. Every field
 * is optional (a server in the seed's shape sends no `model_name` or
 * `model_digest`); a field of another type counts as not reported; any
 * other field is ignored.
 */
export const OriginHealthBody = z.object({
  status: reported(z.string().check(z.maxLength(200))),
  model_version: reported(shortText),
  model_name: reported(shortText),
  model_digest: reported(shortText),
  reason: reported(z.string().check(z.maxLength(500))),
  uptime_seconds: reported(z.number().check(z.nonnegative())),
  request_count: reported(z.int().check(z.nonnegative())),
  error_rate: reported(z.number().check(z.gte(0), z.lte(1))),
});
export type OriginHealthBody = z.infer<typeof OriginHealthBody>;

/** What one `/health` answer says. */
export interface HealthJudgement {
  healthy: boolean;
  /** The optional facts the body reported (empty when it is not a JSON object). */
  facts: OriginHealthBody;
  /** Why it is not healthy, in words (with the contract's address when a route is missing). */
  problem?: string;
}

/**
 * Judges one `/health` answer (pure): healthy on any 2xx, whatever the body
 * (JSON, text or none), unless a JSON body says `"status": "unhealthy"`;
 * anything else is not healthy. The body is read only for its optional
 * facts (`model_version`, `model_digest`, …).
 */
export function judgeHealth(status: number, body: unknown): HealthJudgement {
  const parsed = OriginHealthBody.safeParse(body);
  const facts: OriginHealthBody = parsed.success ? stripUndefined(parsed.data) : {};
  const saysUnhealthy = facts.status === "unhealthy";
  if (status >= 200 && status < 300 && !saysUnhealthy) return { healthy: true, facts };
  const why = facts.reason ?? (facts.status !== undefined && facts.status !== "healthy" ? facts.status : undefined);
  if (status === 404 || status === 405) {
    return { healthy: false, facts, problem: `HTTP ${status}: no GET /health route (required: ${ORIGIN_CONTRACT_DOC})` };
  }
  return { healthy: false, facts, problem: `HTTP ${status}${saysUnhealthy || why !== undefined ? `: ${why ?? "unhealthy"}` : ""}` };
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Parses a body's text as JSON; undefined when it is not JSON (HTML, plain text, empty). */
export function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
