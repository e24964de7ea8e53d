/**
 * In-process builders for model-server unit tests: a fake SentimentModel and
 * the app wired over it (no process, no socket), with captured log lines.
 */
import { createApp, type AppDeps, Faults, Lifecycle, createLogger, PredictionMetrics, type ModelOutput, type SentimentModel } from "../../model-server/index.js";

/** A tiny deterministic model: "good" → positive, "bad" → negative, else neutral. */
export function fakeModel(overrides: Partial<SentimentModel> = {}): SentimentModel {
  return {
    name: "sentiment",
    version: "v1",
    kind: "fake",
    digest: "sha256:" + "ab".repeat(32),
    predict(text: string): ModelOutput {
      if (/good/i.test(text)) return { prediction: "positive", confidence: 0.9 };
      if (/bad/i.test(text)) return { prediction: "negative", confidence: 0.8 };
      return { prediction: "neutral", confidence: 0.5 };
    },
    ...overrides,
  };
}

export interface TestApp {
  app: ReturnType<typeof createApp>;
  lifecycle: Lifecycle;
  metrics: PredictionMetrics;
  faults: Faults;
  /** Log lines written so far, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Delays the app asked for (FAULT_LATENCY_MS), instead of sleeping. */
  sleeps: number[];
}

export interface TestAppOptions extends Partial<Omit<AppDeps, "lifecycle" | "metrics" | "faults" | "logger">> {
  model?: SentimentModel;
  /** Where the lifecycle stands; default "ready". */
  phase?: "loading" | "warming" | "ready" | "draining";
  faultRate?: number;
  faultLatencyMs?: number;
  random?: () => number;
}

/** Builds the app over a fake model with captured logs and a fake sleep. */
export function buildTestApp(opts: TestAppOptions = {}): TestApp {
  const lifecycle = new Lifecycle();
  const phase = opts.phase ?? "ready";
  if (phase !== "loading") lifecycle.loaded(opts.model ?? fakeModel());
  if (phase === "ready" || phase === "draining") lifecycle.ready();
  if (phase === "draining") lifecycle.drain();
  const metrics = new PredictionMetrics(60);
  const faults = new Faults({ rate: opts.faultRate ?? 0, latencyMs: opts.faultLatencyMs ?? 0 }, opts.random);
  const logs: Array<Record<string, unknown>> = [];
  const sleeps: number[] = [];
  const logger = createLogger({}, (_level, line) => logs.push(JSON.parse(line) as Record<string, unknown>));
  const app = createApp({
    maxTextChars: 10_000,
    originToken: undefined,
    faultControl: false,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...opts,
    lifecycle,
    metrics,
    faults,
    logger,
  });
  return { app, lifecycle, metrics, faults, logs, sleeps };
}

/** A JSON request init for `app.request()` or `fetch()`. */
export function jsonInit(body: unknown, method = "POST", headers: Record<string, string> = {}): RequestInit {
  return {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}
