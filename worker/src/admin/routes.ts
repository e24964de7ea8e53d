/**
 * The admin API (docs/architecture.md "Admin API"): status, flip, rollback,
 * history and the dashboard's timeline — thin handlers that validate, call
 * the DeploymentController over RPC, and keep its answer in this isolate's
 * routing cache so the next request here already follows a flip. Requests
 * and answers are contract/admin.ts, status.ts and timeline.ts.
 */
import { Hono, type Context } from "hono";
import { Actor, FlipBody, HistoryQuery, RollbackBody, TimelineQuery } from "../../../contract/admin.js";
import { readBodyWithLimit } from "../../../contract/body-limit.js";
import { otherColor, type Color } from "../../../contract/colors.js";
import type { CommandAnswer, HistoryAnswer, StateView } from "../../../contract/history.js";
import { decodeJson, parseWith, requireJsonContentType } from "../../../contract/json-body.js";
import type { RoutingState } from "../../../contract/routing.js";
import type { AdminStatus, ColorStatus } from "../../../contract/status.js";
import type { TimelineView } from "../../../contract/timeline.js";
import type { AppEnv } from "../app-env.js";
import { controllerStub } from "../controller-link.js";
import type { CommandResult, DeploymentController } from "../controller/deployment-controller.js";
import { HttpError } from "../errors.js";
import { adminAuth } from "./auth.js";
import { callController as call, misconfigured, policyIssues } from "./controller-call.js";
import { shadowRoutes } from "./shadow-routes.js";

/** Largest admin request body. */
const MAX_ADMIN_BODY_BYTES = 16 * 1024;

/** The JSON body of an admin POST; an empty body counts as {} when `emptyOk`. */
async function jsonBody(c: Context<AppEnv>, emptyOk: boolean): Promise<unknown> {
  const raw = c.req.raw;
  const declared = raw.headers.get("content-length");
  if (emptyOk && raw.body === null) return {};
  if (emptyOk && declared === "0") return {};
  requireJsonContentType(raw);
  const bytes = await readBodyWithLimit(raw, MAX_ADMIN_BODY_BYTES);
  if (emptyOk && bytes.byteLength === 0) return {};
  return decodeJson(bytes);
}

function refusalToError(result: CommandResult & { ok: false }): HttpError {
  return new HttpError("conflict", result.message, { reason: result.reason, ...result.details });
}

function stateView(state: RoutingState): StateView {
  return {
    active: state.active,
    standby: otherColor(state.active),
    epoch: state.epoch,
    phase: state.phase,
    updatedAt: new Date(state.updatedAt).toISOString(),
    reason: state.reason,
  };
}

/** The /admin sub-app. */
export function adminRoutes(): Hono<AppEnv> {
  const admin = new Hono<AppEnv>();
  admin.use("*", adminAuth);
  // Admin answers are for the caller only: never kept by a browser or proxy cache (errors already say so).
  admin.use("*", async (c, next) => {
    await next();
    c.res.headers.set("cache-control", "no-store");
  });

  admin.get("/status", async (c) => {
    const config = c.get("config");
    const link = c.get("isolate").link(config.deployment);
    // A bad policy var turns off automatic rollback while everything else looks fine: say so loudly, with the state.
    const workerIssues = policyIssues(c.env);
    const status = await call("status", () => controllerStub(c.env, config.deployment).status()).catch((err: unknown) => {
      throw workerIssues.length > 0 ? misconfigured(workerIssues) : err;
    });
    link.accept(status.state);
    const issues = [...new Set([...workerIssues, ...status.configIssues])];
    if (issues.length > 0) throw misconfigured(issues, { deployment: status.deployment, ...stateView(status.state) });
    const now = Date.now();
    const pools = c.get("isolate").pools;
    const colorStatus = (color: Color): ColorStatus => ({
      role: color === status.state.active ? "active" : "standby",
      origins: config.origins[color].map((url) => ({ url, coolingDown: pools.cooling(url, now) })),
      health: status.health[color],
      version: status.health[color].version,
      metrics: status.metrics[color],
      predictions: status.predictions[color],
    });
    const answer: AdminStatus = {
      deployment: status.deployment,
      ...stateView(status.state),
      bake: status.bake,
      colors: { blue: colorStatus("blue"), green: colorStatus("green") },
      policy: {
        ...status.policy,
        failover: config.failover,
        originTimeoutMs: config.originTimeoutMs,
        flagTtlMs: config.flagTtlMs,
        reportIntervalMs: config.reportIntervalMs,
        maxTextChars: config.maxTextChars,
        labelTelemetry: config.labelTelemetry ? "on" : "off",
      },
      verdict: status.verdict,
      drift: status.drift,
      autoRollbackArmed: status.autoRollbackArmed,
      alerts: status.alerts,
      lastFlip: status.lastFlip,
      kvCurrent: status.kvCurrent,
      nextAlarmAt: status.nextAlarmAt,
      shadow: status.shadow,
    };
    return c.json(answer);
  });

  /** Runs one state-changing command: parse the body, call the controller, adopt its answer in this isolate. */
  async function command(
    c: Context<AppEnv>,
    what: "flip" | "rollback",
    run: (stub: DurableObjectStub<DeploymentController>, actor: string) => Promise<CommandResult>,
  ): Promise<Response> {
    const config = c.get("config");
    const actor = parseWith(Actor, c.req.header("x-bluegreen-actor"), "invalid actor");
    const stub = controllerStub(c.env, config.deployment);
    const result = await call(what, () => run(stub, actor));
    if (!result.ok) throw refusalToError(result);
    c.get("isolate").link(config.deployment).accept(result.state);
    const answer: CommandAnswer = { state: stateView(result.state), entry: result.entry };
    return c.json(answer);
  }

  admin.post("/flip", async (c) => {
    const body = parseWith(FlipBody, await jsonBody(c, false), "invalid flip body");
    // A flip starts a bake that a bad policy var would leave unjudged. Rollback stays open: the way back never closes.
    const issues = policyIssues(c.env);
    if (issues.length > 0) throw misconfigured(issues);
    return command(c, "flip", (stub, actor) => stub.flip({ ...body, actor }));
  });

  admin.post("/rollback", async (c) => {
    const body = parseWith(RollbackBody, await jsonBody(c, true), "invalid rollback body");
    return command(c, "rollback", (stub, actor) => stub.rollback({ ...body, actor }));
  });

  admin.get("/history", async (c) => {
    const config = c.get("config");
    const { limit } = parseWith(HistoryQuery, { limit: c.req.query("limit") }, "invalid query");
    const answer: HistoryAnswer = { entries: await call("history", () => controllerStub(c.env, config.deployment).history(limit)) };
    return c.json(answer);
  });

  admin.get("/timeline", async (c) => {
    const config = c.get("config");
    const { minutes } = parseWith(TimelineQuery, { minutes: c.req.query("minutes") }, "invalid query");
    const answer: TimelineView = await call("timeline", () => controllerStub(c.env, config.deployment).timeline(minutes));
    return c.json(answer);
  });

  shadowRoutes(admin);

  for (const path of ["/status", "/history", "/timeline"]) {
    admin.all(path, () => {
      throw new HttpError("method_not_allowed", `use GET ${"/admin" + path}`, undefined, { allow: "GET" });
    });
  }
  for (const path of ["/flip", "/rollback"]) {
    admin.all(path, () => {
      throw new HttpError("method_not_allowed", `use POST ${"/admin" + path}`, undefined, { allow: "POST" });
    });
  }
  admin.all("*", (c) => {
    throw new HttpError("not_found", `no admin route ${c.req.method} ${c.req.path}`);
  });
  return admin;
}
