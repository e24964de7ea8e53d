/**
 * Active health checks of the origins (docs/architecture.md "Controller"):
 * one GET /health per origin with the origin token and a short timeout, and
 * the pure rule that turns a pool's answers into the colour's ProbeResult.
 * The controller's alarm calls `probePool` for each colour and stores the
 * result (state-store.ts `probe:<colour>`).
 */
import * as z from "zod/mini";
import type { OriginProbe } from "../../../contract/probe.js";
import type { ProbeResult } from "./rpc-schemas.js";

/** How long one /health probe may take before it counts as failed. */
export const PROBE_TIMEOUT_MS = 3_000;

/** The part of a /health answer the controller reads (contract/prediction.ts HealthResponse, leniently: any origin may answer). */
const HealthBody = z.looseObject({
  status: z.string(),
  model_version: z.optional(z.string().check(z.maxLength(200))),
  model_digest: z.optional(z.string().check(z.maxLength(200))),
  reason: z.optional(z.string()),
});

/** Cuts a message to the length ProbeResultSchema accepts. */
function short(message: string, max = 200): string {
  return message.length <= max ? message : `${message.slice(0, max - 1)}…`;
}

/** Probes one origin's /health: healthy only on 200 with `"status":"healthy"`, answered (body too) within `timeoutMs`. */
export async function probeOrigin(url: string, originToken: string | undefined, timeoutMs: number = PROBE_TIMEOUT_MS): Promise<OriginProbe> {
  const started = Date.now();
  const headers: Record<string, string> = { accept: "application/json" };
  if (originToken !== undefined) headers["x-origin-token"] = originToken;
  // A timer of our own, cleared when done: AbortSignal.timeout would keep the object busy until it fires.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(`${url}/health`, { headers, signal: controller.signal });
    const body: unknown = await res.json().catch(() => null);
    const parsed = HealthBody.safeParse(body);
    const version = parsed.success ? parsed.data.model_version : undefined;
    const digest = parsed.success ? parsed.data.model_digest : undefined;
    const facts = { url, status: res.status, latencyMs: Date.now() - started, ...(version ? { version } : {}), ...(digest ? { digest } : {}) };
    if (res.status === 200 && parsed.success && parsed.data.status === "healthy") return { ...facts, ok: true };
    const why = parsed.success ? (parsed.data.reason ?? parsed.data.status) : "no health JSON";
    return { ...facts, ok: false, error: short(`HTTP ${res.status}: ${why}`) };
  } catch (err) {
    const error = controller.signal.aborted ? `timeout after ${timeoutMs} ms` : `connect error: ${short(String(err))}`;
    return { url, ok: false, status: null, latencyMs: Date.now() - started, error };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A colour's result from its origins' answers: healthy when every origin is
 * (a pool is deployed as one version); version and digest of the first
 * healthy origin; latency of the slowest; the first failure as the error.
 */
export function poolResult(origins: readonly OriginProbe[], atMs: number): ProbeResult {
  const failed = origins.find((o) => !o.ok);
  const healthy = origins.find((o) => o.ok);
  const result: ProbeResult = {
    ok: origins.length > 0 && failed === undefined,
    at: atMs,
    latencyMs: Math.max(0, ...origins.map((o) => o.latencyMs)),
    origins: [...origins],
  };
  const source = healthy ?? origins[0];
  if (source?.version !== undefined) result.version = source.version;
  if (source?.digest !== undefined) result.digest = source.digest;
  if (failed !== undefined) result.error = short(origins.length > 1 ? `${failed.url}: ${failed.error ?? "unhealthy"}` : (failed.error ?? "unhealthy"), 500);
  return result;
}

/** Probes every origin of a pool at once; answers the colour's ProbeResult. */
export async function probePool(origins: readonly string[], originToken: string | undefined, timeoutMs: number = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  const at = Date.now();
  const answers = await Promise.all(origins.map((url) => probeOrigin(url, originToken, timeoutMs)));
  return poolResult(answers, at);
}
