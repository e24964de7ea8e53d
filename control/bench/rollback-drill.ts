/**
 * Automatic rollback, measured: flip the router to green, send 50 req/s,
 * after a healthy stretch switch green to answering 30% 500s (PUT /fault),
 * and time from the first failed origin answer (the first answer the router
 * had to fail over, or a failed one) to the routing state back on blue
 * (GET /admin/status polled every 50 ms). The seed's monitor is computed
 * from the same drill parameters (seedDetection), not run.
 */
import type { Target } from "./load.js";
import { type Answer, failed, startTraffic } from "./traffic.js";

const POLL_MS = 50;

export interface RollbackResult {
  /** ms from PUT /fault to the first failed origin answer seen by the client. */
  firstFailureAfterFaultMs: number | null;
  /** ms from the first failed origin answer to /admin/status showing blue active; null: no rollback in time. */
  detectionMs: number | null;
  /** Phase and reason the controller gave. */
  phase: string | null;
  reason: string | null;
  /** Requests during the faulty stretch, failed-over answers, and answers the client saw fail. */
  requestsAfterFault: number;
  failovers: number;
  clientFailures: number;
  timedOut: boolean;
}

export interface RollbackDrillOptions {
  router: Target;
  adminToken: string;
  /** Green model server (FAULT_CONTROL=1) and its origin token. */
  greenUrl: string;
  originToken: string;
  colors: Record<string, string>;
  ratePerSecond: number;
  healthySeconds: number;
  faultRate: number;
  timeoutMs: number;
}

async function admin(url: string, token: string, pathname: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${pathname}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${pathname}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Sets green's injected faults. */
export async function setFault(greenUrl: string, originToken: string, rate: number): Promise<void> {
  const res = await fetch(`${greenUrl}/fault`, {
    method: "PUT",
    headers: { "x-origin-token": originToken, "content-type": "application/json" },
    body: JSON.stringify({ rate, latencyMs: 0 }),
  });
  if (!res.ok) throw new Error(`PUT /fault: HTTP ${res.status}`);
}

/** Runs the drill on a router whose blue is active. */
export async function runRollbackDrill(o: RollbackDrillOptions): Promise<RollbackResult> {
  await admin(o.router.url, o.adminToken, "/admin/flip", { to: "green", reason: "bench: rollback drill", force: true });
  const traffic = startTraffic({ target: o.router, colors: o.colors, ratePerSecond: o.ratePerSecond });
  let tFault = 0;
  let tBack: number | null = null;
  let last: Record<string, unknown> = {};
  try {
    await new Promise((r) => setTimeout(r, o.healthySeconds * 1000));
    tFault = performance.now();
    await setFault(o.greenUrl, o.originToken, o.faultRate);
    while (performance.now() - tFault < o.timeoutMs) {
      last = await admin(o.router.url, o.adminToken, "/admin/status");
      if (last.active === "blue") {
        tBack = performance.now();
        break;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    await new Promise((r) => setTimeout(r, 1_000));
  } finally {
    await traffic.stop();
    await setFault(o.greenUrl, o.originToken, 0).catch(() => {});
  }
  const after = traffic.answers.filter((a: Answer) => a.at >= tFault);
  const firstFailure = after.find((a) => a.failover !== null || failed(a));
  const state = (last.state ?? last) as Record<string, unknown>;
  return {
    firstFailureAfterFaultMs: firstFailure ? firstFailure.at - tFault : null,
    detectionMs: tBack !== null && firstFailure ? tBack - firstFailure.at : null,
    phase: typeof last.phase === "string" ? last.phase : typeof state.phase === "string" ? state.phase : null,
    reason: typeof last.reason === "string" ? last.reason : typeof state.reason === "string" ? state.reason : null,
    requestsAfterFault: after.length,
    failovers: after.filter((a) => a.failover !== null).length,
    clientFailures: after.filter(failed).length,
    timedOut: tBack === null,
  };
}

/** The seed's monitor: poll /health every `pollSeconds`, roll back when errors/requests since start > threshold. */
export interface SeedModel {
  ratePerSecond: number;
  healthySeconds: number;
  faultRate: number;
  pollSeconds: number;
  threshold: number;
}

/**
 * When the seed would have rolled back, in seconds after the first failure:
 * its cumulative rate crosses the threshold t* = threshold·healthy/(fault −
 * threshold) seconds into the outage, and the next poll comes 0–pollSeconds
 * later (uniform phase). null when the cumulative rate never crosses.
 */
export function seedDetection(m: SeedModel): { crossS: number; minS: number; meanS: number; maxS: number } | null {
  if (m.faultRate <= m.threshold) return null;
  const crossS = (m.threshold * m.healthySeconds) / (m.faultRate - m.threshold);
  return { crossS, minS: crossS, meanS: crossS + m.pollSeconds / 2, maxS: crossS + m.pollSeconds };
}
