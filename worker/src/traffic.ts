/**
 * The traffic routes: /predict and /predict/batch validated at the edge and
 * counted, paths on the PROXY_PATHS allow-list passed on uncounted, anything
 * else 404 without contacting an origin; all served from the active colour's
 * pool with failover (failover.ts). A preview request (x-bluegreen-preview +
 * admin token) goes to the colour it names; besides the predictions and the
 * allow-list, a preview may also read the colour's own GET /health and
 * /ready (what `bluegreen validate --via-router` checks). Paths that could
 * reach an origin's /fault are never passed on.
 *
 * A POST to /predict or /predict/batch is the hot path: app.ts hands it here
 * without going through Hono's routing (`predictRouteOf`), so the handlers
 * take an `Exchange` rather than a Hono context.
 */
import type { Context } from "hono";
import { PreviewColor } from "../../contract/admin.js";
import { otherColor, type Color } from "../../contract/colors.js";
import type { AppEnv } from "./app-env.js";
import { isAdmin, unauthorized } from "./admin/auth.js";
import type { RouterConfig } from "./config.js";
import type { WaitUntil } from "./controller-link.js";
import { checkPrediction, readPrediction, type PredictKind } from "./edge-validation.js";
import { HttpError } from "./errors.js";
import { serve } from "./failover.js";
import type { IsolateState } from "./isolate.js";
import { originRequestHeaders } from "./origin-headers.js";
import { allowsPath, isFaultPath } from "./proxy-paths.js";
import { sampled } from "./shadow/mirror.js";

/** Origin routes a preview may read on the colour it names. */
const PREVIEW_READS = new Set(["/health", "/ready"]);

/** One request on the traffic path and what serving it needs. */
export interface Exchange {
  request: Request;
  /** `request.headers`, read once. */
  headers: Headers;
  env: Env;
  ctx: WaitUntil;
  config: RouterConfig;
  isolate: IsolateState;
  requestId: string;
}

/** A prediction route: its path, body kind, and the request's query ("" or "?…"), passed on as sent. */
export interface PredictRoute {
  path: "/predict" | "/predict/batch";
  kind: PredictKind;
  query: string;
}

/** The Exchange of a request Hono routed. */
export function exchangeOf(c: Context<AppEnv>): Exchange {
  const request = c.req.raw;
  return { request, headers: request.headers, env: c.env, ctx: c.executionCtx, config: c.get("config"), isolate: c.get("isolate"), requestId: c.get("requestId") };
}

/**
 * The prediction route a request URL names, read the way Hono reads a path
 * (from the first "/" after the scheme up to "?"), or null. Only the two
 * literal paths match; any other spelling (e.g. percent-encoded) is left to
 * Hono's routing, which serves it the same way.
 */
export function predictRouteOf(url: string): PredictRoute | null {
  const start = url.indexOf("/", url.indexOf(":") + 4);
  if (start === -1) return null;
  const q = url.indexOf("?", start);
  const path = q === -1 ? url.slice(start) : url.slice(start, q);
  const query = q === -1 ? "" : url.slice(q);
  if (path === "/predict") return { path, kind: "single", query };
  if (path === "/predict/batch") return { path, kind: "batch", query };
  return null;
}

/** The colour an x-bluegreen-preview header names, after checking the admin token (401 otherwise). */
async function previewFrom(header: string, request: Request, config: RouterConfig): Promise<Color> {
  if (!(await isAdmin(request, config.adminToken))) throw unauthorized();
  const parsed = PreviewColor.safeParse(header.trim().toLowerCase());
  if (!parsed.success) throw new HttpError("invalid_request", 'x-bluegreen-preview must be "blue" or "green"');
  return parsed.data;
}

/** The preview colour of a request, after checking the admin token (401 otherwise). */
export async function previewColor(c: Context<AppEnv>): Promise<Color | null> {
  const header = c.req.raw.headers.get("x-bluegreen-preview");
  return header === null ? null : previewFrom(header, c.req.raw, c.get("config"));
}

/** POST /predict and /predict/batch: validate, then serve. */
export async function servePrediction(x: Exchange, route: PredictRoute): Promise<Response> {
  const header = x.headers.get("x-bluegreen-preview");
  const preview = header === null ? null : await previewFrom(header, x.request, x.config);
  const body = await readPrediction(x.request, x.headers);
  const expected = checkPrediction(route.kind, body, x.config.maxTextChars);
  return forward(x, "POST", route.path + route.query, body, preview, { kind: route.kind, expected });
}

/** POST /predict and /predict/batch (at `path`) as a Hono handler, for spellings app.ts's fast path leaves to Hono. */
export function predictHandler(path: PredictRoute["path"], kind: PredictKind) {
  return (c: Context<AppEnv>): Promise<Response> => {
    const url = c.req.url;
    const q = url.indexOf("?");
    return servePrediction(exchangeOf(c), { path, kind, query: q === -1 ? "" : url.slice(q) });
  };
}

/** Any other non-admin request: passed on when PROXY_PATHS allows it (or a preview reads /health, /ready), else 404. */
export async function proxyHandler(c: Context<AppEnv>): Promise<Response> {
  const x = exchangeOf(c);
  // The URL parser's path (dot segments resolved in every spelling), not Hono's decoded one: what the origin gets.
  const url = new URL(x.request.url);
  const pathname = url.pathname;
  const method = x.request.method;
  const preview = await previewColor(c);
  const previewRead = preview !== null && PREVIEW_READS.has(pathname) && (method === "GET" || method === "HEAD");
  if (!(previewRead || allowsPath(x.config.proxyPaths, pathname)) || isFaultPath(pathname)) {
    throw new HttpError("not_found", "no such route");
  }
  // A GET or HEAD that got this far has no body, or an empty one (app.ts), which is none.
  const body = method === "GET" || method === "HEAD" ? null : x.request.body;
  return forward(x, method, pathname + url.search, body, preview, null);
}

/** A prediction's route kind and how many predictions its answer carries; null for any other request. */
type PredictionShape = { kind: PredictKind; expected: number } | null;

/** Serves from the pools by the isolate's routing state; counts the answer and lets the controller link sync. */
async function forward(
  x: Exchange,
  method: string,
  pathAndQuery: string,
  body: Uint8Array | ReadableStream | null,
  preview: Color | null,
  shape: PredictionShape,
): Promise<Response> {
  const { env, ctx, config } = x;
  const prediction = shape !== null;
  const link = x.isolate.link(config.deployment);
  const state = link.stateNow(env, config, ctx) ?? (await link.routing(env, config, ctx));
  const headers = originRequestHeaders(x.headers, { requestId: x.requestId, originToken: config.originToken, adminToken: config.adminToken });
  const mirrored = shape !== null && preview === null && body instanceof Uint8Array && state.shadow !== undefined && sampled(state, Date.now());
  try {
    return await serve({
      state,
      config,
      pools: x.isolate.pools,
      link,
      requestId: x.requestId,
      // A stream can be read once; bytes (a prediction's) or no body can be sent again.
      replayable: !(body instanceof ReadableStream),
      preview,
      prediction,
      labels:
        shape !== null && preview === null && config.labelTelemetry
          ? {
              ...shape,
              telemetry: link.telemetry,
              ctx,
              // A mirrored request's answer is always read: the shadow comparison needs its bytes (the mirror is a random sample too).
              maxPerSecond: mirrored ? undefined : config.labelMaxPerSecond,
              onCounted: () => link.afterRequest(env, config, ctx),
            }
          : null,
      // A prediction's validated bytes go to the shadowed standby too, when the state asks and this one is sampled.
      mirror:
        mirrored && shape !== null && body instanceof Uint8Array
          ? (active) => {
              const standby = otherColor(state.active);
              const req = { standby, origins: config.origins[standby], pathAndQuery, headers, body, kind: shape.kind, expected: shape.expected };
              const counted = () => link.afterRequest(env, config, ctx);
              x.isolate.shadow.send({ ...req, telemetry: link.telemetry, settings: config.shadow, ctx, counted }, active);
            }
          : null,
      request: { method, pathAndQuery, headers, body },
    });
  } finally {
    if (prediction && preview === null) link.telemetry.noteServed();
    link.afterRequest(env, config, ctx);
  }
}
