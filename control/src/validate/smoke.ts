/**
 * Validate step 2: a handful of requests that check every answer against the
 * prediction API (contract/prediction.ts, contract/errors.ts): predictions
 * and a batch, bad input answered with the error envelope, `/ready`. A server
 * error that itself follows the contract is retried and left to the
 * error-rate gate; an answer that breaks the contract is a violation.
 */
import * as z from "zod/mini";
import { ErrorBody } from "../../../contract/errors.js";
import { BatchResponse, Prediction } from "../../../contract/prediction.js";
import { UsageError } from "../errors.js";
import { type Endpoint, NetworkFailure, send } from "../http.js";

type Kind = "prediction" | "contract";

interface SmokeCase {
  name: string;
  kind: Kind;
  method: "GET" | "POST";
  path: string;
  body?: unknown;
  rawBody?: string;
  /** Expected status; 4xx cases accept any 4xx. */
  expect: 200 | "4xx";
  /** Schema of the expected answer; null = body not checked. */
  schema: z.core.$ZodType | null;
  /** How many items a batch answer must hold. */
  batchSize?: number;
}

const CASES: SmokeCase[] = [
  { name: "predict positive", kind: "prediction", method: "POST", path: "/predict", body: { text: "I love this, it works wonderfully well." }, expect: 200, schema: Prediction },
  { name: "predict negative", kind: "prediction", method: "POST", path: "/predict", body: { text: "This is terrible, it broke and I hate it." }, expect: 200, schema: Prediction },
  { name: "predict batch", kind: "prediction", method: "POST", path: "/predict/batch", body: { texts: ["Great service!", "Awful experience.", "The parcel arrived on Tuesday."] }, expect: 200, schema: BatchResponse, batchSize: 3 },
  { name: "empty text", kind: "contract", method: "POST", path: "/predict", body: { text: "" }, expect: "4xx", schema: ErrorBody },
  { name: "invalid json", kind: "contract", method: "POST", path: "/predict", rawBody: "{not json", expect: "4xx", schema: ErrorBody },
  { name: "ready", kind: "contract", method: "GET", path: "/ready", expect: 200, schema: null },
];

/** Attempts per case while the answer is a contract-conforming server error. */
const ATTEMPTS = 3;

export interface SmokeCheck {
  name: string;
  kind: Kind;
  /** ok; server-error (5xx with a proper error body, every attempt); violation (broke the contract). */
  verdict: "ok" | "server-error" | "violation";
  status: number | null;
  attempts: number;
  problem?: string;
}

export interface SmokeOutcome {
  checks: SmokeCheck[];
  /** Server errors seen along the way (retried). */
  serverErrors: number;
}

export interface SmokeOptions {
  timeoutMs: number;
  /** Model version every prediction must report (from /health). */
  expectModelVersion?: string | undefined;
  /** Via the router: the colour every answer must come from (x-bluegreen-color). */
  expectColor?: string | undefined;
  /** Which credential a 401 is about, for the error message. */
  credential: "ORIGIN_TOKEN" | "ADMIN_TOKEN";
}

/** Runs every smoke case once (server errors retried) and records the verdicts. */
export async function runSmoke(endpoint: Endpoint, opts: SmokeOptions): Promise<SmokeOutcome> {
  const checks: SmokeCheck[] = [];
  let serverErrors = 0;
  for (const c of CASES) {
    let check: SmokeCheck | undefined;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      check = await runCase(endpoint, c, attempt, opts);
      if (check.verdict !== "server-error") break;
      serverErrors++;
    }
    checks.push(check!);
  }
  return { checks, serverErrors };
}

async function runCase(endpoint: Endpoint, c: SmokeCase, attempt: number, opts: SmokeOptions): Promise<SmokeCheck> {
  const base = { name: c.name, kind: c.kind, attempts: attempt };
  let answer;
  try {
    answer = await send(endpoint, c.path, {
      method: c.method,
      timeoutMs: opts.timeoutMs,
      ...(c.rawBody !== undefined ? { rawBody: c.rawBody } : c.body !== undefined ? { body: c.body } : {}),
    });
  } catch (err) {
    if (!(err instanceof NetworkFailure)) throw err;
    return { ...base, verdict: "violation", status: null, problem: err.what };
  }
  const { status } = answer;
  if (status === 401 && c.kind === "prediction") {
    throw new UsageError(`The target refused ${c.path} with 401 unauthorized.`, {
      reason: opts.credential === "ORIGIN_TOKEN"
        ? "the model server checks x-origin-token and ORIGIN_TOKEN is missing or wrong"
        : "the router did not accept the admin token sent with the preview header",
      hint: `set ${opts.credential} (or --${opts.credential === "ORIGIN_TOKEN" ? "origin-token" : "admin-token"}) to the value the ${opts.credential === "ORIGIN_TOKEN" ? "model server" : "router"} was started with`,
    });
  }
  const color = answer.headers.get("x-bluegreen-color");
  if (opts.expectColor && color !== null && color !== opts.expectColor) {
    return { ...base, verdict: "violation", status, problem: `served by ${color}, not ${opts.expectColor}: the router ignored the preview header` };
  }
  if (status >= 500) {
    const conforms = ErrorBody.safeParse(answer.json).success;
    return conforms
      ? { ...base, verdict: "server-error", status, problem: `HTTP ${status}` }
      : { ...base, verdict: "violation", status, problem: `HTTP ${status} without a JSON error body` };
  }
  const statusOk = c.expect === "4xx" ? status >= 400 && status < 500 : status === c.expect;
  if (!statusOk) return { ...base, verdict: "violation", status, problem: `HTTP ${status}, expected ${c.expect}` };
  if (c.schema) {
    const parsed = z.safeParse(c.schema, answer.json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ...base, verdict: "violation", status, problem: `answer does not match the schema (${issue?.path.join(".") || "body"}: ${issue?.message})` };
    }
  }
  const problem = checkPrediction(c, answer.json, opts);
  return problem ? { ...base, verdict: "violation", status, problem } : { ...base, verdict: "ok", status };
}

function checkPrediction(c: SmokeCase, json: unknown, opts: SmokeOptions): string | undefined {
  if (c.kind !== "prediction") return undefined;
  const items = c.batchSize ? (json as BatchResponse).predictions : [json as Prediction];
  if (c.batchSize && items.length !== c.batchSize) return `batch of ${c.batchSize} answered ${items.length} predictions`;
  const v = opts.expectModelVersion;
  const wrong = v ? items.find((p) => p.model_version !== v) : undefined;
  return wrong ? `model_version ${wrong.model_version}, but /health reports ${v}` : undefined;
}
