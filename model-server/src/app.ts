/**
 * The model server's Hono app: routes, request ids, access log, prediction
 * metrics, 404/405, and the one error handler that turns ApiError into its
 * JSON error answer (a 413 drains the rest of the upload, upload-drain.ts), an
 * upload the client broke off into one log line, and anything else into a
 * logged 500. No process wiring here, so tests can drive it with
 * `app.request()`.
 */
import { randomUUID } from "node:crypto";
import { Hono, type Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { UploadAbortedError } from "../../contract/body-limit.js";
import { ApiError, errorBody, type ErrorCode } from "../../contract/errors.js";
import type { Faults } from "./faults.js";
import type { Lifecycle } from "./lifecycle.js";
import { errorFields, type Logger } from "./logger.js";
import type { PredictionMetrics } from "./metrics.js";
import { requireOriginToken } from "./origin-token.js";
import { faultRoutes } from "./routes/fault.js";
import { healthRoutes } from "./routes/health.js";
import { predictRoutes } from "./routes/predict.js";
import { DEFAULT_DRAIN_BOUNDS, drainingBody, type DrainBounds } from "./upload-drain.js";

export interface AppDeps {
  lifecycle: Lifecycle;
  metrics: PredictionMetrics;
  faults: Faults;
  logger: Logger;
  maxTextChars: number;
  originToken: string | undefined;
  /** Mount `GET/PUT /fault`. */
  faultControl: boolean;
  startedAt?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** How much of an oversize upload is drained behind its 413 (default 16 MiB / 5 s). */
  drainBounds?: DrainBounds;
}

/** `clientGone`: the client broke off its upload; the request is logged once and not counted. */
type AppEnv = { Variables: { requestId: string; clientGone?: boolean } };

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** The prediction routes: only their authenticated POSTs count in /health's metrics. */
const PREDICTION_PATHS: ReadonlySet<string> = new Set(["/predict", "/predict/batch"]);
/** Methods each known path answers; anything else there is a 405. */
const ALLOWED: Readonly<Record<string, string>> = {
  "/predict": "POST",
  "/predict/batch": "POST",
  "/health": "GET, HEAD",
  "/ready": "GET, HEAD",
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Maps an HTTPException raised inside hono to the closest error code. */
function codeForStatus(status: number): ErrorCode {
  if (status === 401) return "unauthorized";
  if (status === 404) return "not_found";
  if (status === 405) return "method_not_allowed";
  if (status === 413) return "payload_too_large";
  if (status === 415) return "unsupported_media_type";
  if (status === 503) return "unavailable";
  return status >= 500 ? "internal" : "invalid_request";
}

/** Builds the app over its dependencies (model state, metrics, faults, logger). */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const now = deps.now ?? Date.now;
  const { lifecycle, metrics, logger } = deps;
  const app = new Hono<AppEnv>();
  const allowed: Record<string, string> = { ...ALLOWED };

  app.use(async (c, next) => {
    const started = performance.now();
    const given = c.req.header("x-request-id");
    const requestId = given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
    c.set("requestId", requestId);
    c.header("x-request-id", requestId);
    if (lifecycle.phase === "draining") c.header("connection", "close");
    await next();
    // A request that began before SIGTERM still closes its connection afterwards.
    if (lifecycle.phase === "draining" && c.res.headers.get("connection") !== "close") c.header("connection", "close");
    if (c.get("clientGone") === true) return;
    logger.info("request", {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: Math.round((performance.now() - started) * 100) / 100,
      request_id: requestId,
    });
  });

  // "/predict/*" also matches "/predict" itself. The token check comes first:
  // a request it turns away never reaches the metrics, so junk cannot dilute the error rate.
  app.use("/predict/*", requireOriginToken(deps.originToken));
  app.use("/predict/*", async (c, next) => {
    await next();
    if (c.req.method === "POST" && PREDICTION_PATHS.has(c.req.path) && c.get("clientGone") !== true) metrics.record(c.res.status);
  });

  app.route("/", predictRoutes({ lifecycle, faults: deps.faults, maxTextChars: deps.maxTextChars, sleep: deps.sleep ?? defaultSleep }));
  app.route("/", healthRoutes({ lifecycle, metrics, startedAt: deps.startedAt ?? now(), now }));
  if (deps.faultControl) {
    app.use("/fault", requireOriginToken(deps.originToken));
    app.route("/", faultRoutes(deps.faults, logger));
    allowed["/fault"] = "GET, HEAD, PUT";
  }

  for (const [path, allow] of Object.entries(allowed)) {
    app.all(path, (c) => {
      throw new ApiError("method_not_allowed", `${c.req.method} is not allowed on ${path}; use ${allow}`, undefined, { allow });
    });
  }

  app.notFound((c) => c.json(errorBody("not_found", `no route for ${c.req.method} ${c.req.path}`), 404));

  app.onError((err, c: Context<AppEnv>) => {
    if (err instanceof ApiError && err.code === "payload_too_large") {
      // Answered now, whole; the connection closes once the rest of the upload is read (upload-drain.ts).
      const bytes = new TextEncoder().encode(JSON.stringify(errorBody(err.code, err.message, err.details)));
      const headers = { "content-type": "application/json", "content-length": String(bytes.byteLength), connection: "close" };
      return c.body(drainingBody(c.req.raw, bytes, deps.drainBounds ?? DEFAULT_DRAIN_BOUNDS), err.status, headers);
    }
    if (err instanceof ApiError) {
      for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
      return c.json(errorBody(err.code, err.message, err.details), err.status);
    }
    if (err instanceof UploadAbortedError) {
      // The client hung up mid-body: one line, no stack, not an error of this server (nobody reads the answer).
      c.set("clientGone", true);
      logger.info("upload_aborted", { request_id: c.get("requestId"), method: c.req.method, path: c.req.path, received_bytes: err.receivedBytes });
      return c.json(errorBody("invalid_request", "the request body was cut off before its end"), 400);
    }
    if (err instanceof HTTPException && err.status < 500) {
      return c.json(errorBody(codeForStatus(err.status), err.message || "bad request"), err.status);
    }
    logger.error("unhandled_error", { request_id: c.get("requestId"), method: c.req.method, path: c.req.path, ...errorFields(err) });
    return c.json(errorBody("internal", "internal server error"), 500);
  });

  return app;
}
