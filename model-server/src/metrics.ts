/**
 * Prediction-traffic counters for /health: `request_count` since start and
 * the windowed error rate (5xx answers, injected faults included). Health
 * and readiness probes are not counted, so probes cannot dilute the rate.
 */
import { ErrorWindow } from "./error-window.js";

export class PredictionMetrics {
  #total = 0;
  readonly window: ErrorWindow;

  constructor(windowSeconds: number, now: () => number = Date.now) {
    this.window = new ErrorWindow(windowSeconds, now);
  }

  /** Counts one answered /predict* request by its status. */
  record(status: number): void {
    this.#total += 1;
    this.window.record(status >= 500);
  }

  /** Prediction requests answered since start. */
  get requestCount(): number {
    return this.#total;
  }
}
