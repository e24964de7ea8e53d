/**
 * Graceful shutdown on SIGTERM/SIGINT: health turns 503 (draining), the
 * listener closes, in-flight requests finish (their connections close after
 * the answer, idle keep-alive connections are closed), then the caller exits
 * 0 — or 1 when the grace period ran out and connections were cut.
 */
import type { Server } from "node:http";
import type { Lifecycle } from "./lifecycle.js";
import type { Logger } from "./logger.js";

const IDLE_SWEEP_MS = 50;

/** Counts requests in progress on `server`, for the drain log lines. */
export function trackInFlight(server: Server): () => number {
  let inFlight = 0;
  server.on("request", (_req, res) => {
    inFlight += 1;
    res.once("close", () => (inFlight -= 1));
  });
  return () => inFlight;
}

/** Drains `server`; resolves with the exit code (0 drained, 1 grace timeout). */
export function drainServer(
  server: Server,
  lifecycle: Lifecycle,
  logger: Logger,
  graceMs: number,
  inFlight: () => number,
): Promise<number> {
  lifecycle.drain();
  logger.info("draining", { in_flight: inFlight(), grace_ms: graceMs });
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    const timer = setTimeout(() => {
      clearInterval(sweep);
      logger.warn("drain_timeout", { in_flight: inFlight(), grace_ms: graceMs });
      server.closeAllConnections();
      resolve(1);
    }, graceMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(timer);
      logger.info("drained", {});
      resolve(0);
    });
    server.closeIdleConnections();
  });
}
