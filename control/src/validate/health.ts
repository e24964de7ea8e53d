/**
 * Validate step 1: `GET /health` with retries and exponential backoff, until
 * the target answers healthy or the attempts run out. Decides nothing: the
 * health gate in gates.ts judges the outcome.
 */
import { HealthResponse, type HealthyResponse } from "../../../contract/prediction.js";
import { type Endpoint, NetworkFailure, send, sleep } from "../http.js";

export interface HealthOptions {
  /** Attempts after the first. */
  retries: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
}

export const DEFAULT_HEALTH_OPTIONS: HealthOptions = { retries: 4, initialBackoffMs: 250, maxBackoffMs: 2000, timeoutMs: 5000 };

export interface HealthOutcome {
  /** The healthy answer, or null when none came. */
  health: HealthyResponse | null;
  attempts: number;
  elapsedMs: number;
  /** True once any attempt got an HTTP answer. */
  reachable: boolean;
  /** The last thing that was wrong, in words. */
  lastProblem?: string;
  /** The colour that answered, from the router's x-bluegreen-color header. */
  servedBy?: string | null;
}

/** Polls /health until healthy; `onRetry` hears about each failed attempt. */
export async function checkHealth(
  endpoint: Endpoint,
  opts: HealthOptions,
  onRetry?: (attempt: number, problem: string, waitMs: number) => void,
): Promise<HealthOutcome> {
  const started = performance.now();
  let reachable = false;
  let lastProblem: string | undefined;
  let backoff = opts.initialBackoffMs;
  const attempts = opts.retries + 1;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const answer = await send(endpoint, "/health", { timeoutMs: opts.timeoutMs });
      reachable = true;
      const parsed = HealthResponse.safeParse(answer.json);
      if (answer.status === 200 && parsed.success && parsed.data.status === "healthy") {
        return {
          health: parsed.data,
          attempts: attempt,
          elapsedMs: performance.now() - started,
          reachable,
          servedBy: answer.headers.get("x-bluegreen-color"),
        };
      }
      if (parsed.success && parsed.data.status === "unhealthy") lastProblem = `unhealthy (${parsed.data.reason})`;
      else if (answer.status === 200) lastProblem = `HTTP 200 but the body is not a /health answer: ${answer.text.slice(0, 120)}`;
      else lastProblem = `HTTP ${answer.status}${errorMessage(answer.json)}`;
    } catch (err) {
      if (!(err instanceof NetworkFailure)) throw err;
      lastProblem = err.what;
    }
    if (attempt < attempts) {
      onRetry?.(attempt, lastProblem, backoff);
      await sleep(backoff);
      backoff = Math.min(opts.maxBackoffMs, backoff * 2);
    }
  }
  return { health: null, attempts, elapsedMs: performance.now() - started, reachable, ...(lastProblem ? { lastProblem } : {}) };
}

/** ": <message>" from an error envelope, or "". */
export function errorMessage(json: unknown): string {
  const msg = (json as { error?: { message?: unknown } } | undefined)?.error?.message;
  return typeof msg === "string" ? `: ${msg}` : "";
}
