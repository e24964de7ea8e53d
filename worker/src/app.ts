/**
 * The router: a POST to /predict or /predict/batch goes straight to the
 * traffic path (traffic.ts), everything else through the Hono app — per-request
 * config and request id, a 400 for a GET or HEAD that carries a body (no
 * origin could be sent one), the dashboard and the admin API, the router's
 * own /health and /ready, the other traffic routes. Both share the one
 * error handler, `errorAnswer`: HttpError → its JSON error answer, a client
 * gone mid-upload → one log line, anything else → a logged 500. Predictions
 * skip Hono because its routing and middleware were a measurable part of the
 * router's CPU per request (docs/benchmarks.md); the routes stay registered
 * in Hono too, for every other method and spelling.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { adminRoutes } from "./admin/routes.js";
import type { AppEnv } from "./app-env.js";
import { ConfigError } from "./config.js";
import { controllerStub } from "./controller-link.js";
import { dashboardRoutes } from "./dashboard/routes.js";
import { PREDICT_ROUTES, type PredictKind } from "./edge-validation.js";
import { ClientGone } from "./edge-body.js";
import { errorResponse, HttpError } from "./errors.js";
import { healthHandler } from "./health-routes.js";
import { IsolateState } from "./isolate.js";
import { predictHandler, predictRouteOf, proxyHandler, servePrediction, type PredictRoute } from "./traffic.js";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's x-request-id when it is sane, a fresh one otherwise. */
function requestIdOf(headers: Headers): string {
  const given = headers.get("x-request-id");
  return given !== null && REQUEST_ID.test(given) ? given : crypto.randomUUID();
}

/** The router's one error handler: the answer to anything a request's handling threw. */
export function errorAnswer(err: unknown, requestId: string): Response {
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
}

/** Builds the Hono app over one isolate's state. */
export function createApp(isolate: IsolateState): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    const request = c.req.raw;
    c.set("isolate", isolate);
    c.set("requestId", requestIdOf(request.headers));
    c.set("config", isolate.config(c.env));
    // workerd will not send a GET or HEAD with a body; refuse it here, before it
    // can look like an origin failure. An empty one (Content-Length: 0) is no body.
    const method = request.method;
    if ((method === "GET" || method === "HEAD") && request.body !== null && request.headers.get("content-length") !== "0") {
      throw new HttpError("invalid_request", `a ${method} request must not carry a body`);
    }
    await next();
    c.res.headers.set("x-request-id", c.get("requestId"));
  });

  // The dashboard's page, script and style carry no data and need no token; everything else under /admin does.
  app.route("/admin", dashboardRoutes());
  app.route("/admin", adminRoutes());

  for (const [path, kind] of Object.entries(PREDICT_ROUTES) as Array<[PredictRoute["path"], PredictKind]>) {
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

  app.onError((err, c) => errorAnswer(err, c.get("requestId") ?? ""));
  app.notFound(() => errorResponse("not_found", "no such route"));
  return app;
}

/** A prediction, served without Hono; its answer (or error answer) carries x-request-id as Hono's would. */
async function predictDirect(isolate: IsolateState, request: Request, env: Env, ctx: ExecutionContext, route: PredictRoute): Promise<Response> {
  const headers = request.headers;
  const requestId = requestIdOf(headers);
  try {
    // The answer already carries x-request-id (attempt.ts).
    return await servePrediction({ request, headers, env, ctx, config: isolate.config(env), isolate, requestId }, route);
  } catch (err) {
    const answer = errorAnswer(err, requestId);
    answer.headers.set("x-request-id", requestId);
    return answer;
  }
}

/** A router over its own isolate state: the Worker's handlers (tests make more to play extra isolates). */
export function createRouter(isolate: IsolateState = new IsolateState()) {
  const app = createApp(isolate);
  return {
    isolate,
    fetch: (request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> => {
      isolate.locate(request.cf); // the location's relay (one check once known)
      const route = request.method === "POST" ? predictRouteOf(request.url) : null;
      return route !== null ? predictDirect(isolate, request, env, ctx, route) : app.fetch(request, env, ctx);
    },
    /** Cron: only makes sure the controller's alarm is set (and its KV copy current); the alarm does the work. */
    scheduled: (_controller: ScheduledController, env: Env, ctx: ExecutionContext) => {
      const deployment = isolate.config(env).deployment;
      ctx.waitUntil(controllerStub(env, deployment).reconcile().then(() => undefined));
    },
  };
}
