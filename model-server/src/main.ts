/**
 * Process wiring for `npm run model-server`: config from env (exit 2 when
 * bad), listen (a `listening` line with the bound port; exit 3 when the
 * address cannot be bound), load + verify + warm the model (exit 1 when it
 * fails), then serve until SIGTERM/SIGINT and drain (exit 0; shutdown.ts).
 * docs/model-server.md lists the exit codes.
 */
import type { Server } from "node:http";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { createApp } from "./app.js";
import { answerClientErrors } from "./client-error.js";
import { ConnectionTracker } from "./connections.js";
import { ConfigError, loadConfig, redactedConfig, type Config } from "./config.js";
import { Faults } from "./faults.js";
import { Lifecycle } from "./lifecycle.js";
import { createLogger, errorFields, type Logger } from "./logger.js";
import { PredictionMetrics } from "./metrics.js";
import { loadModel } from "./model/load.js";
import { drainServer } from "./shutdown.js";
import { warmUp } from "./warmup.js";

const EXIT_MODEL_LOAD_FAILED = 1;
const EXIT_BAD_CONFIG = 2;
/** The address could not be bound (port busy, host not local): nothing is wrong with the model, so not 1. */
const EXIT_LISTEN_FAILED = 3;
/** Slow-client bounds: a body that never finishes cannot hold a connection for long. */
const REQUEST_TIMEOUT_MS = 30_000;
const HEADERS_TIMEOUT_MS = 10_000;

function readConfig(logger: Logger): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    logger.error("config_invalid", {
      message: `${err.message}. Fix the environment variables named above and start again.`,
      issues: err.issues,
    });
    process.exit(EXIT_BAD_CONFIG);
  }
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** Loads, checks and warms the model; exits 1 with a clear message on any failure. */
async function bringUpModel(config: Config, lifecycle: Lifecycle, logger: Logger, server: Server): Promise<void> {
  const dir = join(config.modelDir, config.modelName, config.modelVersion);
  try {
    const started = performance.now();
    // Name and version checked against the manifest: a stale or misplaced artifact refuses to start.
    const model = await loadModel(dir, { name: config.modelName, version: config.modelVersion });
    lifecycle.loaded(model);
    const warm = warmUp(model);
    lifecycle.ready();
    logger.info("ready", {
      model_kind: model.kind,
      model_digest: model.digest,
      warmup_predictions: warm.predictions,
      startup_ms: Math.round(performance.now() - started),
    });
  } catch (err) {
    logger.error("model_load_failed", {
      ...errorFields(err),
      model_dir: dir,
      hint: "check MODEL_DIR/MODEL_NAME/MODEL_VERSION and that the artifacts match their manifest (npm run models:build)",
    });
    server.close();
    process.exit(EXIT_MODEL_LOAD_FAILED);
  }
}

async function main(): Promise<void> {
  const bootLogger = createLogger({ service: "model-server" });
  const config = readConfig(bootLogger);
  const logger = createLogger({ service: "model-server", model: `${config.modelName}/${config.modelVersion}` });
  const lifecycle = new Lifecycle();
  const metrics = new PredictionMetrics(config.errorWindowSeconds);
  const faults = new Faults({
    rate: config.faultRate,
    latencyMs: config.faultLatencyMs,
    silentRate: config.faultSilentRate,
    silentMode: config.faultSilentMode,
    silentConfidence: config.faultSilentConfidence,
  });
  const app = createApp({
    lifecycle,
    metrics,
    faults,
    logger,
    maxTextChars: config.maxTextChars,
    originToken: config.originToken,
    faultControl: config.faultControl,
  });
  logger.info("starting", { config: redactedConfig(config) });
  if (config.originToken === undefined) logger.warn("origin_token_unset", { message: "ORIGIN_TOKEN is not set: /predict is open to anyone who can reach this port" });

  let onListening = () => {};
  const listening = new Promise<void>((resolve) => (onListening = resolve));
  const server = serve(
    {
      fetch: app.fetch,
      hostname: config.host,
      port: config.port,
      serverOptions: { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS },
    },
    (info) => {
      logger.info("listening", { url: urlOf(config.host, info.port), host: config.host, port: info.port });
      onListening();
    },
  ) as Server;
  server.on("error", (err) => {
    logger.error("listen_failed", { ...errorFields(err), host: config.host, port: config.port });
    process.exit(EXIT_LISTEN_FAILED);
  });
  const connections = new ConnectionTracker(server);
  answerClientErrors(server, logger, connections);

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn("forced_exit", { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info("signal", { signal });
    void drainServer(server, lifecycle, logger, config.shutdownGraceMs, connections).then((code) => {
      logger.info("exit", { code });
      process.exit(code);
    });
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  // Outside a request (where app.onError answers 500), an unexpected error is fatal: log it as JSON, exit 1.
  const fatal = (err: unknown) => {
    logger.error("fatal", errorFields(err));
    process.exit(1);
  };
  process.on("uncaughtException", fatal);
  process.on("unhandledRejection", fatal);

  await listening;
  await bringUpModel(config, lifecycle, logger, server);
}

main().catch((err: unknown) => {
  createLogger({ service: "model-server" }).error("fatal", errorFields(err));
  process.exit(1);
});
