/**
 * Graceful shutdown on SIGTERM/SIGINT: health turns 503 (draining), the
 * listener closes, idle keep-alive connections are closed at once, and
 * requests received whole finish (their connections close after the answer).
 * A request still being sent (headers or body incomplete) is not work in
 * flight: it gets UNFINISHED_GRACE_MS to arrive, then its connection is cut.
 * The caller exits 0 once every connection is gone — or 1 when the grace
 * period ran out with requests still running.
 */
import type { Server } from "node:http";
import type { ConnectionTracker } from "./connections.js";
import type { Lifecycle } from "./lifecycle.js";
import type { Logger } from "./logger.js";

const SWEEP_MS = 50;
/**
 * How long a request still arriving at SIGTERM may take to arrive whole. A
 * router sends a ≤ 64 KiB body in far less; a client stalled mid-request
 * would otherwise hold the exit for the whole grace period.
 */
export const UNFINISHED_GRACE_MS = 1_000;

/** Drains `server`; resolves with the exit code (0 drained, 1 grace timeout). */
export function drainServer(
  server: Server,
  lifecycle: Lifecycle,
  logger: Logger,
  graceMs: number,
  connections: ConnectionTracker,
): Promise<number> {
  lifecycle.drain();
  logger.info("draining", { in_flight: connections.inFlight, grace_ms: graceMs });
  const startedAt = Date.now();
  const unfinishedGraceMs = Math.min(UNFINISHED_GRACE_MS, graceMs);
  let cut = 0;
  return new Promise((resolve) => {
    const sweep = setInterval(() => {
      server.closeIdleConnections();
      if (Date.now() - startedAt >= unfinishedGraceMs) cut += connections.closeUnfinished();
    }, SWEEP_MS);
    const timer = setTimeout(() => {
      clearInterval(sweep);
      logger.warn("drain_timeout", { in_flight: connections.inFlight, grace_ms: graceMs });
      server.closeAllConnections();
      resolve(1);
    }, graceMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(timer);
      logger.info("drained", { unfinished_requests_cut: cut, duration_ms: Date.now() - startedAt });
      resolve(0);
    });
    server.closeIdleConnections();
  });
}
