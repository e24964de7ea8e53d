/**
 * The router's own GET /health and GET /ready, for load balancers and uptime
 * checks. Both answer from the isolate's routing state, whose `health` per
 * colour is the controller's last probe of that colour's origins: 200 when
 * the active colour is `healthy`; 503 when it is `unhealthy`, and also while
 * it is `unknown` (not probed yet — the controller probes at start, so this
 * lasts seconds): a check that cannot tell is not a pass. The answer names
 * the status and the active colour, which every routed answer shows in
 * x-bluegreen-color anyway; with the admin bearer token it adds the epoch,
 * phase, reason and both colours' health. Never a digest, a count or an
 * origin URL: those are in the admin API (shapes: contract/router-health.ts).
 * A preview request (x-bluegreen-preview + admin token) reads the named
 * colour's own answer instead (traffic.ts), which is how `bluegreen validate
 * --via-router` works.
 */
import type { Context } from "hono";
import type { RouterHealth, RouterHealthAdmin } from "../../contract/router-health.js";
import { isAdmin } from "./admin/auth.js";
import type { AppEnv } from "./app-env.js";
import { previewColor, proxyHandler } from "./traffic.js";

/** GET /health and GET /ready (the same check; two names because checkers expect either). */
export async function healthHandler(c: Context<AppEnv>): Promise<Response> {
  if ((await previewColor(c)) !== null) return proxyHandler(c);
  const config = c.get("config");
  const link = c.get("isolate").link(config.deployment);
  const state = await link.routing(c.env, config, c.executionCtx);
  const status = state.health[state.active];
  const headers = { "cache-control": "no-store" };
  const httpStatus = status === "healthy" ? 200 : 503;
  const anonymous: RouterHealth = { status, active: state.active };
  const admin = c.req.header("authorization") !== undefined && (await isAdmin(c.req.raw, config.adminToken));
  if (!admin) return c.json(anonymous, httpStatus, headers);
  const full: RouterHealthAdmin = {
    ...anonymous,
    epoch: state.epoch,
    phase: state.phase,
    reason: state.reason,
    updatedAt: state.updatedAt,
    health: state.health,
  };
  return c.json(full, httpStatus, headers);
}
