/**
 * A reference point for the router's numbers: a three-line Worker that only
 * forwards each request to one origin (adding the origin token), in the same
 * local workerd, on a direct socket as the router is. The gap between it and
 * nginx is local workerd's own cost per proxied request; the gap between it
 * and the router is the router Worker's logic (validation, failover,
 * telemetry, routing state).
 */
import { Miniflare } from "miniflare";

const SCRIPT = `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    headers.set("x-origin-token", env.ORIGIN_TOKEN);
    return fetch(env.ORIGIN + url.pathname + url.search, { method: request.method, headers, body: request.body });
  },
};`;

/** A running passthrough Worker. */
export interface Passthrough {
  url: string;
  mf: Miniflare;
  stop(): Promise<void>;
}

/** Starts the passthrough Worker in front of `origin` (with workerd's inspector when `inspectorPort` is set). */
export async function startPassthrough(origin: string, originToken: string, opts: { inspectorPort?: number } = {}): Promise<Passthrough> {
  const listeners = { SIGINT: process.listeners("SIGINT"), SIGTERM: process.listeners("SIGTERM") };
  const mf = new Miniflare({
    name: "passthrough",
    modules: true,
    script: SCRIPT,
    compatibilityDate: "2026-04-01",
    bindings: { ORIGIN: origin, ORIGIN_TOKEN: originToken },
    host: "127.0.0.1",
    port: 0,
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
    ...(opts.inspectorPort !== undefined ? { inspectorPort: opts.inspectorPort } : {}),
  });
  // Leave signals to the bench (Miniflare installs handlers that exit at once).
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    for (const l of process.listeners(signal)) if (!listeners[signal].includes(l)) process.removeListener(signal, l);
  }
  await mf.ready;
  const url = (await mf.unsafeGetDirectURL()).origin;
  return { url, mf, stop: () => mf.dispose() };
}
