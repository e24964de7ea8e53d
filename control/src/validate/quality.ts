/**
 * Validate step 4: quality on the labelled golden set. The texts go to the
 * deployed target (and to the serving colour as baseline) over HTTP, in
 * `/predict/batch` requests — or, when a server does not offer that optional
 * route (404 or 405), one `/predict` per text — and the answers are scored
 * against the labels: accuracy, the accuracy drop against the baseline
 * (regression) and how often the two agree. Scoring is pure; fetching is
 * separate.
 */
import { readFileSync } from "node:fs";
import { type GoldenExample, GoldenSetError, parseGoldenSet } from "../../../contract/golden-set.js";
import { ORIGIN_CONTRACT_DOC } from "../../../contract/origin.js";
import { BatchResponse, MAX_BATCH_TEXTS, Prediction } from "../../../contract/prediction.js";
import { agreementRate, scorePredictions } from "../../../contract/scoring.js";
import { UsageError } from "../errors.js";
import { type Endpoint, NetworkFailure, send, sleep } from "../http.js";
import { errorMessage } from "./health.js";

export type { GoldenExample };

/** The shipped golden set, resolved from this file so any working directory works. */
export const DEFAULT_GOLDEN_PATH = new URL("../../../model-server/golden/sentiment.jsonl", import.meta.url).pathname;

/** Reads a JSONL golden set with the model server's parser; problems are usage errors naming the line. */
export function readGoldenSet(path: string): GoldenExample[] {
  let examples: GoldenExample[];
  try {
    examples = parseGoldenSet(readFileSync(path, "utf8"), path);
  } catch (err) {
    if (!(err instanceof GoldenSetError) && (err as NodeJS.ErrnoException).code === undefined) throw err;
    throw new UsageError(`Cannot use the golden set ${path}.`, {
      reason: (err as Error).message,
      hint: 'pass --golden <file.jsonl> with one {"text","label"} object per line (labels: positive, negative, neutral)',
    });
  }
  if (examples.length === 0) throw new UsageError(`The golden set ${path} is empty.`, { hint: "pass --golden with a non-empty file" });
  return examples;
}

export interface PredictOptions {
  timeoutMs: number;
  /** Attempts per batch (server errors and network failures are retried). */
  attempts: number;
  /** Batches in flight at once. */
  concurrency: number;
}

/** A batch could not be answered after every attempt. */
export class PredictionsFailed extends Error {
  override name = "PredictionsFailed";
  constructor(
    message: string,
    /** True when no attempt got an HTTP answer. */
    readonly unreachable: boolean,
  ) {
    super(message);
  }
}

/** The labels an endpoint predicted, in the golden set's order, and the route that gave them. */
export interface Predicted {
  labels: string[];
  route: "/predict/batch" | "/predict";
}

/** Asks `endpoint` for a label per text: via /predict/batch, or one /predict per text when it has no batch route. */
export async function predictLabels(endpoint: Endpoint, texts: string[], opts: PredictOptions): Promise<Predicted> {
  const batches: string[][] = [];
  for (let i = 0; i < texts.length; i += MAX_BATCH_TEXTS) batches.push(texts.slice(i, i + MAX_BATCH_TEXTS));
  // The first batch tells whether the route exists; the others then go the same way.
  const first = await predictBatch(endpoint, batches[0] ?? [], opts);
  if (first === "no-batch-route") return { labels: await inParallel(texts, opts.concurrency * 4, (t) => predictOne(endpoint, t, opts)), route: "/predict" };
  const rest = await inParallel(batches.slice(1), opts.concurrency, async (b) => {
    const labels = await predictBatch(endpoint, b, opts);
    if (labels === "no-batch-route") throw new PredictionsFailed("/predict/batch answered 404 after answering the first batch", false);
    return labels;
  });
  return { labels: [first, ...rest].flat(), route: "/predict/batch" };
}

/** Maps `items` with at most `concurrency` calls in flight; answers in order. */
async function inParallel<T, R>(items: T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}

const ABSENT = Symbol("absent");

/** Sends `body` to `path` with retries on server errors and network failures; answers the 2xx JSON, or "absent" on a 404/405. */
async function call(endpoint: Endpoint, path: string, body: unknown, opts: PredictOptions): Promise<unknown> {
  let problem = "";
  let answered = false;
  for (let attempt = 1; attempt <= opts.attempts; attempt++) {
    try {
      const answer = await send(endpoint, path, { body, timeoutMs: opts.timeoutMs });
      answered = true;
      if (answer.status >= 200 && answer.status < 300) {
        if (answer.json === undefined) throw new PredictionsFailed(`${path} answered HTTP ${answer.status} without JSON; the contract needs JSON (${ORIGIN_CONTRACT_DOC})`, false);
        return answer.json;
      }
      if (answer.status === 404 || answer.status === 405) return ABSENT;
      problem = `HTTP ${answer.status}${errorMessage(answer.json)}`;
      if (answer.status < 500 && answer.status !== 429) break;
    } catch (err) {
      if (!(err instanceof NetworkFailure)) throw err;
      problem = err.what;
    }
    if (attempt < opts.attempts) await sleep(100 * attempt);
  }
  throw new PredictionsFailed(`${path} failed after retries: ${problem}`, !answered);
}

async function predictBatch(endpoint: Endpoint, texts: string[], opts: PredictOptions): Promise<string[] | "no-batch-route"> {
  const json = await call(endpoint, "/predict/batch", { texts }, opts);
  if (json === ABSENT) return "no-batch-route";
  const parsed = BatchResponse.safeParse(json);
  // A wrong answer is not transient: it is not retried.
  if (!parsed.success || parsed.data.predictions.length !== texts.length) {
    throw new PredictionsFailed(`/predict/batch answered something that is not ${texts.length} predictions (${ORIGIN_CONTRACT_DOC})`, false);
  }
  return parsed.data.predictions.map((p) => p.prediction);
}

async function predictOne(endpoint: Endpoint, text: string, opts: PredictOptions): Promise<string> {
  const json = await call(endpoint, "/predict", { text }, opts);
  if (json === ABSENT) throw new PredictionsFailed(`POST /predict not found: the route is required (${ORIGIN_CONTRACT_DOC})`, false);
  const parsed = Prediction.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PredictionsFailed(`/predict answered JSON without a usable prediction (${issue?.path.join(".") || "body"}: ${issue?.message}; ${ORIGIN_CONTRACT_DOC})`, false);
  }
  return parsed.data.prediction;
}

export interface Scored {
  name: string;
  correct: number;
  accuracy: number;
  macroF1: number;
}

export interface QualityStats {
  examples: number;
  target: Scored;
  baseline: Scored | null;
  /** Baseline accuracy minus target accuracy (positive = the target is worse). */
  regression: number | null;
  /** Share of examples where target and baseline predict the same label. */
  agreement: number | null;
}

/** Scores predicted labels against the golden labels with the model server's scorer (pure). */
export function scoreQuality(
  examples: readonly GoldenExample[],
  target: { name: string; labels: string[] },
  baseline: { name: string; labels: string[] } | null,
): QualityStats {
  const actual = examples.map((e) => e.label);
  const score = (s: { name: string; labels: string[] }): Scored => {
    const e = scorePredictions(actual, s.labels);
    return { name: s.name, correct: e.correct, accuracy: e.accuracy, macroF1: e.macroF1 };
  };
  const t = score(target);
  const b = baseline ? score(baseline) : null;
  return {
    examples: examples.length,
    target: t,
    baseline: b,
    regression: b ? b.accuracy - t.accuracy : null,
    agreement: baseline ? agreementRate(target.labels, baseline.labels) : null,
  };
}
