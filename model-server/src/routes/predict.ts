/**
 * `POST /predict` and `POST /predict/batch` (docs/architecture.md "Prediction
 * API"): validate, apply injected faults, predict, check the model's answer
 * against the schema, then apply the silent faults (a wrong label answered
 * 200, per item of a batch: faults.ts).
 */
import { Hono } from "hono";
import { ApiError } from "../../../contract/errors.js";
import { readJsonBody } from "../../../contract/json-body.js";
import { batchRequestSchema, MAX_BODY_BYTES, predictRequestSchema, SentimentPrediction } from "../../../contract/prediction.js";
import type { Faults } from "../faults.js";
import type { Lifecycle } from "../lifecycle.js";
import type { SentimentModel } from "../model/types.js";

export interface PredictDeps {
  lifecycle: Lifecycle;
  faults: Faults;
  maxTextChars: number;
  sleep: (ms: number) => Promise<void>;
}

/** An oversize body's rest stays readable: app.ts drains it behind the 413. */
const KEEP_REST = { keepRest: true } as const;

/** Raised when the model answers something the contract does not allow (a bug → 500). */
export class InvalidModelOutputError extends Error {
  override name = "InvalidModelOutputError";
}

function predictOne(model: SentimentModel, text: string): SentimentPrediction {
  const out = model.predict(text);
  const parsed = SentimentPrediction.safeParse({ prediction: out.prediction, confidence: out.confidence, model_version: model.version });
  if (!parsed.success) throw new InvalidModelOutputError(`model gave an invalid prediction: ${parsed.error.message}`);
  return parsed.data;
}

function currentModel(lifecycle: Lifecycle): SentimentModel {
  const model = lifecycle.model;
  if (!model) throw new ApiError("unavailable", "model is still loading; retry shortly");
  return model;
}

async function applyFaults(faults: Faults, sleep: (ms: number) => Promise<void>): Promise<void> {
  const { fail, delayMs } = faults.decide();
  if (delayMs > 0) await sleep(delayMs);
  if (fail) throw new ApiError("internal", "injected fault (FAULT_RATE)");
}

/** The prediction routes, mounted at the app root. */
export function predictRoutes(deps: PredictDeps): Hono {
  const one = predictRequestSchema(deps.maxTextChars);
  const batch = batchRequestSchema(deps.maxTextChars);
  const app = new Hono();

  app.post("/predict", async (c) => {
    const model = currentModel(deps.lifecycle);
    const body = await readJsonBody(c.req.raw, one, MAX_BODY_BYTES, KEEP_REST);
    await applyFaults(deps.faults, deps.sleep);
    return c.json(deps.faults.silent(predictOne(model, body.text)));
  });

  app.post("/predict/batch", async (c) => {
    const model = currentModel(deps.lifecycle);
    const body = await readJsonBody(c.req.raw, batch, MAX_BODY_BYTES, KEEP_REST);
    await applyFaults(deps.faults, deps.sleep);
    // A silent fault is drawn per item, as a broken model errs per text.
    return c.json({ predictions: body.texts.map((text) => deps.faults.silent(predictOne(model, text))) });
  });

  return app;
}
