/**
 * The router's Hono app: per-request config and request id, a 400 for a
 * GET or HEAD that carries a body (no origin could be sent one), the
 * dashboard and the admin API, the router's own /health and /ready, the
 * traffic routes, and the one error handler — HttpError → its JSON error
 * answer, a client gone mid-upload → one log line, anything else → a logged
 * 500.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { adminRoutes } from "./admin/routes.js";
import type { AppEnv } from "./app-env.js";
import { ConfigError, routerConfig } from "./config.js";
import { controllerStub } from "./controller-link.js";
import { dashboardRoutes } from "./dashboard/routes.js";
import { PREDICT_ROUTES, type PredictKind } from "./edge-validation.js";
import { ClientGone } from "./edge-body.js";
import { errorResponse, HttpError } from "./errors.js";
import { healthHandler } from "./health-routes.js";
import { IsolateState } from "./isolate.js";
import { predictHandler, proxyHandler } from "./traffic.js";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's x-request-id when it is sane, a fresh one otherwise. */
function requestIdOf(request: Request): string {
  const given = request.headers.get("x-request-id");
  return given !== null && REQUEST_ID.test(given) ? given : crypto.randomUUID();
}

/** Builds the app over one isolate's state. */
export function createApp(isolate: IsolateState): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    isolate.locate(c.req.raw.cf);
    c.set("isolate", isolate);
    c.set("requestId", requestIdOf(c.req.raw));
    c.set("config", routerConfig(c.env));
    await next();
    c.res.headers.set("x-request-id", c.get("requestId"));
  });

  // workerd will not send a GET or HEAD with a body; refuse it here, before it
  // can look like an origin failure. An empty one (Content-Length: 0) is no body.
  app.use(async (c, next) => {
    const method = c.req.method;
    if ((method === "GET" || method === "HEAD") && c.req.raw.body !== null && c.req.header("content-length") !== "0") {
      throw new HttpError("invalid_request", `a ${method} request must not carry a body`);
    }
    await next();
  });

  // The dashboard's page, script and style carry no data and need no token; everything else under /admin does.
  app.route("/admin", dashboardRoutes());
  app.route("/admin", adminRoutes());

  for (const [path, kind] of Object.entries(PREDICT_ROUTES) as Array<[string, PredictKind]>) {
    app.post(path, predictHandler(path, kind));
    app.all(path, () => {
      throw new HttpError("method_not_allowed", `use POST ${path}`, undefined, { allow: "POST" });
    });
  }
  for (const path of ["/health", "/ready"]) {
    app.get(path, healthHandler);
    app.all(path, () => {
      throw new HttpError("method_not_allowed", `use GET ${path}`, undefined, { allow: "GET, HEAD" });
    });
  }
  app.all("*", proxyHandler);

  app.onError((err, c) => {
    const requestId = c.get("requestId") ?? "";
    if (err instanceof HttpError) return errorResponse(err.code, err.message, err.details, err.headers);
    if (err instanceof ClientGone) {
      // Nobody is left to read the answer; not an error of the router or of any colour.
      console.warn(`router: client went away during its upload (request ${requestId})`);
      return errorResponse("invalid_request", "the request body was cut off");
    }
    if (err instanceof HTTPException && err.status < 500) {
      return errorResponse("invalid_request", err.message || "bad request");
    }
    if (err instanceof ConfigError) {
      console.error(`router: ${err.message} (request ${requestId})`);
      // The message names the bad vars, never their values (config.ts).
      return errorResponse("misconfigured", `the router is misconfigured: ${err.message}; see the Worker logs`);
    }
    console.error(`router: unexpected error (request ${requestId})`, err);
    return errorResponse("internal", "internal error; see the Worker logs", { requestId });
  });
  app.notFound(() => errorResponse("not_found", "no such route"));
  return app;
}

/** A router over its own isolate state: the Worker's handlers (tests make more to play extra isolates). */
export function createRouter(isolate: IsolateState = new IsolateState()) {
  const app = createApp(isolate);
  return {
    isolate,
    fetch: (request: Request, env: Env, ctx: ExecutionContext) => app.fetch(request, env, ctx),
    /** Cron: only makes sure the controller's alarm is set (and its KV copy current); the alarm does the work. */
    scheduled: (_controller: ScheduledController, env: Env, ctx: ExecutionContext) => {
      const deployment = routerConfig(env).deployment;
      ctx.waitUntil(controllerStub(env, deployment).reconcile().then(() => undefined));
    },
  };
}
