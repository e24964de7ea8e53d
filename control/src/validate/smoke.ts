/**
 * Validate step 2: a handful of requests that check every answer against the
 * origin contract (docs/architecture.md "Bring your own model server",
 * contract/prediction.ts): two predictions, a batch, bad input refused with a
 * 4xx, `/ready`. `/predict/batch` and `/ready` are optional routes: a 404 or
 * 405 there means "not offered", not a violation. A server error is retried
 * and left to the error-rate gate; an answer that breaks the contract is a
 * violation, named by its route and field with the contract's address.
 */
import * as z from "zod/mini";
import { ORIGIN_CONTRACT_DOC } from "../../../contract/origin.js";
import { BatchResponse, Prediction } from "../../../contract/prediction.js";
import { UsageError } from "../errors.js";
import { type Endpoint, type HttpAnswer, NetworkFailure, send } from "../http.js";

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
  /** What the contract asks of the answer, for the message when it is not that. */
  shape?: string;
  /** How many items a batch answer must hold. */
  batchSize?: number;
  /** An optional route of the origin contract: 404 or 405 means the server does not offer it. */
  optional?: boolean;
}

const PREDICTION_SHAPE = '{"prediction": string, "model_version": string}';
const CASES: SmokeCase[] = [
  { name: "predict positive", kind: "prediction", method: "POST", path: "/predict", body: { text: "I love this, it works wonderfully well." }, expect: 200, schema: Prediction, shape: PREDICTION_SHAPE },
  { name: "predict negative", kind: "prediction", method: "POST", path: "/predict", body: { text: "This is terrible, it broke and I hate it." }, expect: 200, schema: Prediction, shape: PREDICTION_SHAPE },
  { name: "predict batch", kind: "prediction", method: "POST", path: "/predict/batch", body: { texts: ["Great service!", "Awful experience.", "The parcel arrived on Tuesday."] }, expect: 200, schema: BatchResponse, shape: `{"predictions": [${PREDICTION_SHAPE}, …]}`, batchSize: 3, optional: true },
  { name: "missing text", kind: "contract", method: "POST", path: "/predict", body: { txt: "no text field" }, expect: "4xx", schema: null },
  { name: "invalid json", kind: "contract", method: "POST", path: "/predict", rawBody: "{not json", expect: "4xx", schema: null },
  { name: "ready", kind: "contract", method: "GET", path: "/ready", expect: 200, schema: null, optional: true },
];

/** Attempts per case while the answer is a server error. */
const ATTEMPTS = 3;

export interface SmokeCheck {
  name: string;
  kind: Kind;
  /** The route asked, e.g. "/predict/batch". */
  path: string;
  /** ok; absent (an optional route the server does not offer); server-error (5xx, every attempt); violation (broke the contract). */
  verdict: "ok" | "absent" | "server-error" | "violation";
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
  const base = { name: c.name, kind: c.kind, path: c.path, attempts: attempt };
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
  if (status >= 500) return { ...base, verdict: "server-error", status, problem: `HTTP ${status}` };
  if (c.optional && (status === 404 || status === 405)) return { ...base, verdict: "absent", status, problem: `${c.method} ${c.path} not offered (optional)` };
  const problem = statusProblem(c, status) ?? bodyProblem(c, answer) ?? checkPrediction(c, answer.json, opts);
  return problem ? { ...base, verdict: "violation", status, problem } : { ...base, verdict: "ok", status };
}

/** What is wrong with the status, in words; undefined when it is the expected one. */
function statusProblem(c: SmokeCase, status: number): string | undefined {
  if (c.expect === "4xx") return status >= 400 && status < 500 ? undefined : `HTTP ${status}, expected a 4xx: bad input must be refused`;
  if (status === c.expect) return undefined;
  if (status === 404 || status === 405) return `${c.method} ${c.path} not found (HTTP ${status}): the route is required (${ORIGIN_CONTRACT_DOC})`;
  return `HTTP ${status}, expected ${c.expect}`;
}

/** What is wrong with the body, naming the field or saying it is not JSON; undefined when it fits the schema. */
function bodyProblem(c: SmokeCase, answer: HttpAnswer): string | undefined {
  if (!c.schema) return undefined;
  const needs = `the contract needs ${c.shape ?? "JSON"} (${ORIGIN_CONTRACT_DOC})`;
  if (answer.json === undefined) {
    const type = answer.headers.get("content-type")?.split(";")[0]?.trim() || "no content type";
    return `${c.method} ${c.path} answered ${type}, not JSON (${JSON.stringify(answer.text.slice(0, 60))}); ${needs}`;
  }
  const parsed = z.safeParse(c.schema, answer.json);
  if (parsed.success) return undefined;
  const fields = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
  return `${c.method} ${c.path} answered JSON without what the contract requires (${fields}); ${needs}`;
}

function checkPrediction(c: SmokeCase, json: unknown, opts: SmokeOptions): string | undefined {
  if (c.kind !== "prediction") return undefined;
  const items = c.batchSize ? (json as BatchResponse).predictions : [json as Prediction];
  if (c.batchSize && items.length !== c.batchSize) return `batch of ${c.batchSize} answered ${items.length} predictions`;
  const v = opts.expectModelVersion;
  const wrong = v ? items.find((p) => p.model_version !== v) : undefined;
  return wrong ? `model_version ${wrong.model_version}, but /health reports ${v}` : undefined;
}
