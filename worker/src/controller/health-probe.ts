/**
 * Active health checks of the origins (docs/architecture.md "Controller"):
 * one GET /health per origin with the origin token and a short timeout, and
 * the pure rule that turns a pool's answers into the colour's ProbeResult.
 * The controller's alarm calls `probePool` for each colour and stores the
 * result (state-store.ts `probe:<colour>`).
 */
import { jsonOrUndefined, judgeHealth } from "../../../contract/origin.js";
import type { OriginProbe } from "../../../contract/probe.js";
import type { ProbeResult } from "./rpc-schemas.js";

/** How long one /health probe may take before it counts as failed. */
export const PROBE_TIMEOUT_MS = 3_000;

/** Cuts a message to the length ProbeResultSchema accepts. */
function short(message: string, max = 200): string {
  return message.length <= max ? message : `${message.slice(0, max - 1)}…`;
}

/** Probes one origin's /health, answered (body too) within `timeoutMs`; judged by the origin contract's rule (contract/origin.ts `judgeHealth`). */
export async function probeOrigin(url: string, originToken: string | undefined, timeoutMs: number = PROBE_TIMEOUT_MS): Promise<OriginProbe> {
  const started = Date.now();
  const headers: Record<string, string> = { accept: "application/json" };
  if (originToken !== undefined) headers["x-origin-token"] = originToken;
  // A timer of our own, cleared when done: AbortSignal.timeout would keep the object busy until it fires.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(`${url}/health`, { headers, signal: controller.signal });
    const { healthy, facts, problem } = judgeHealth(res.status, jsonOrUndefined(await res.text()));
    const { model_version: version, model_digest: digest } = facts;
    const seen = { url, status: res.status, latencyMs: Date.now() - started, ...(version ? { version } : {}), ...(digest ? { digest } : {}) };
    if (healthy) return { ...seen, ok: true };
    return { ...seen, ok: false, error: short(problem ?? `HTTP ${res.status}`) };
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
