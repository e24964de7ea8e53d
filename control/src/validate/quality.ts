/**
 * Validate step 4: quality on the labelled golden set. The texts go to the
 * deployed target (and to the serving colour as baseline) over HTTP, in
 * `/predict/batch` requests, and the answers are scored against the labels:
 * accuracy, the accuracy drop against the baseline (regression) and how often
 * the two agree. Scoring is pure; fetching is separate.
 */
import { readFileSync } from "node:fs";
import { type GoldenExample, GoldenSetError, parseGoldenSet } from "../../../contract/golden-set.js";
import { BatchResponse, type Label, MAX_BATCH_TEXTS } from "../../../contract/prediction.js";
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

/** Asks `endpoint` for a label per text via /predict/batch; answers must match the schema. */
export async function predictLabels(endpoint: Endpoint, texts: string[], opts: PredictOptions): Promise<Label[]> {
  const batches: string[][] = [];
  for (let i = 0; i < texts.length; i += MAX_BATCH_TEXTS) batches.push(texts.slice(i, i + MAX_BATCH_TEXTS));
  const results: Label[][] = new Array(batches.length);
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const i = next++;
      results[i] = await predictBatch(endpoint, batches[i]!, opts);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, batches.length) }, worker));
  return results.flat();
}

async function predictBatch(endpoint: Endpoint, texts: string[], opts: PredictOptions): Promise<Label[]> {
  let problem = "";
  let answered = false;
  for (let attempt = 1; attempt <= opts.attempts; attempt++) {
    try {
      const answer = await send(endpoint, "/predict/batch", { body: { texts }, timeoutMs: opts.timeoutMs });
      answered = true;
      if (answer.status === 200) {
        const parsed = BatchResponse.safeParse(answer.json);
        if (!parsed.success || parsed.data.predictions.length !== texts.length) {
          // A wrong answer is not transient: do not retry it.
          throw new PredictionsFailed(`/predict/batch answered something that is not ${texts.length} predictions`, false);
        }
        return parsed.data.predictions.map((p) => p.prediction);
      }
      problem = `HTTP ${answer.status}${errorMessage(answer.json)}`;
      if (answer.status < 500 && answer.status !== 429) break;
    } catch (err) {
      if (!(err instanceof NetworkFailure)) throw err;
      problem = err.what;
    }
    if (attempt < opts.attempts) await sleep(100 * attempt);
  }
  throw new PredictionsFailed(`/predict/batch failed after retries: ${problem}`, !answered);
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
  target: { name: string; labels: Label[] },
  baseline: { name: string; labels: Label[] } | null,
): QualityStats {
  const actual = examples.map((e) => e.label);
  const score = (s: { name: string; labels: Label[] }): Scored => {
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
