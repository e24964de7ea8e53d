/**
 * Validate step 1: `GET /health` with retries and exponential backoff, until
 * the target answers healthy or the attempts run out. Each answer is judged
 * by the origin contract's rule (contract/origin.ts `judgeHealth`, the one
 * the controller's probes use: any 2xx is healthy); the body's optional
 * facts (`model_version`, `model_digest`, …) are kept for the gates. Decides
 * nothing else: the health gate in gates.ts judges the outcome.
 */
import { judgeHealth, type OriginHealthBody } from "../../../contract/origin.js";
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
  /** What the healthy answer reported (every field optional), or null when no healthy answer came. */
  health: OriginHealthBody | null;
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
      const judged = judgeHealth(answer.status, answer.json);
      if (judged.healthy) {
        return {
          health: judged.facts,
          attempts: attempt,
          elapsedMs: performance.now() - started,
          reachable,
          servedBy: answer.headers.get("x-bluegreen-color"),
        };
      }
      const { facts } = judged;
      if (facts.status === "unhealthy") lastProblem = facts.reason ? `unhealthy (${facts.reason})` : `unhealthy (HTTP ${answer.status})`;
      else lastProblem = `${judged.problem ?? `HTTP ${answer.status}`}${errorMessage(answer.json)}`;
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
