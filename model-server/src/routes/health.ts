/**
 * `GET /health` and `GET /ready` (docs/architecture.md "Prediction API").
 * Health is 200 with the model identity and recent traffic only while ready;
 * 503 with a reason while loading, warming up or draining. Ready is 200 only
 * once loaded and warm.
 */
import { Hono } from "hono";
import { ApiError } from "../../../contract/errors.js";
import type { HealthResponse, ReadyResponse } from "../../../contract/prediction.js";
import type { Lifecycle, Phase } from "../lifecycle.js";
import type { PredictionMetrics } from "../metrics.js";

export interface HealthDeps {
  lifecycle: Lifecycle;
  metrics: PredictionMetrics;
  /** Epoch ms at process start. */
  startedAt: number;
  now: () => number;
}

const NOT_READY_REASON: Record<Exclude<Phase, "ready">, string> = {
  loading: "model loading",
  warming: "model warming up",
  draining: "draining",
};

/** The health and readiness routes, mounted at the app root. */
export function healthRoutes(deps: HealthDeps): Hono {
  const app = new Hono();

  app.get("/health", (c) => {
    const { lifecycle, metrics } = deps;
    const model = lifecycle.model;
    if (lifecycle.phase !== "ready" || !model) {
      const body: HealthResponse = { status: "unhealthy", reason: NOT_READY_REASON[lifecycle.phase as Exclude<Phase, "ready">] };
      return c.json(body, 503);
    }
    const window = metrics.window.counts();
    const body: HealthResponse & { error_window_seconds: number } = {
      status: "healthy",
      model_version: model.version,
      model_name: model.name,
      model_digest: model.digest,
      uptime_seconds: Math.max(0, Math.round((deps.now() - deps.startedAt) / 100) / 10),
      request_count: metrics.requestCount,
      error_rate: window.errorRate,
      error_window_seconds: metrics.window.windowSeconds,
    };
    return c.json(body);
  });

  app.get("/ready", (c) => {
    const { lifecycle } = deps;
    const model = lifecycle.model;
    if (lifecycle.phase !== "ready" || !model) {
      throw new ApiError("unavailable", `not ready: ${NOT_READY_REASON[lifecycle.phase as Exclude<Phase, "ready">]}`);
    }
    const body: ReadyResponse = { status: "ready", model_version: model.version };
    return c.json(body);
  });

  return app;
}
