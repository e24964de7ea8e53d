/**
 * The traffic routes: /predict and /predict/batch validated at the edge and
 * counted, paths on the PROXY_PATHS allow-list passed on uncounted, anything
 * else 404 without contacting an origin; all served from the active colour's
 * pool with failover (failover.ts). A preview request (x-bluegreen-preview +
 * admin token) goes to the colour it names; besides the predictions and the
 * allow-list, a preview may also read the colour's own GET /health and
 * /ready (what `bluegreen validate --via-router` checks). Paths that could
 * reach an origin's /fault are never passed on.
 */
import type { Context } from "hono";
import { PreviewColor } from "../../contract/admin.js";
import type { Color } from "../../contract/colors.js";
import { isAdmin, unauthorized } from "./admin/auth.js";
import type { AppEnv } from "./app-env.js";
import { validatePrediction, type PredictKind } from "./edge-validation.js";
import { HttpError } from "./errors.js";
import { serve } from "./failover.js";
import { allowsPath, isFaultPath } from "./proxy-paths.js";
import { originRequestHeaders } from "./proxy.js";

/** Origin routes a preview may read on the colour it names. */
const PREVIEW_READS = new Set(["/health", "/ready"]);

/** The preview colour of a request, after checking the admin token (401 otherwise). */
export async function previewColor(c: Context<AppEnv>): Promise<Color | null> {
  const header = c.req.header("x-bluegreen-preview");
  if (header === undefined) return null;
  if (!(await isAdmin(c.req.raw, c.get("config").adminToken))) throw unauthorized();
  const parsed = PreviewColor.safeParse(header.trim().toLowerCase());
  if (!parsed.success) throw new HttpError("invalid_request", 'x-bluegreen-preview must be "blue" or "green"');
  return parsed.data;
}

interface Forwarding {
  body: Uint8Array | ReadableStream | null;
  /** Whether the body can be sent a second time (buffered or absent). */
  replayable: boolean;
  preview: Color | null;
  prediction: boolean;
}

async function forward(c: Context<AppEnv>, pathAndQuery: string, how: Forwarding): Promise<Response> {
  const config = c.get("config");
  const isolate = c.get("isolate");
  const link = isolate.link(config.deployment);
  const state = await link.routing(c.env, config, c.executionCtx);
  try {
    return await serve({
      state,
      config,
      pools: isolate.pools,
      link,
      replayable: how.replayable,
      preview: how.preview,
      prediction: how.prediction,
      request: {
        method: c.req.method,
        pathAndQuery,
        headers: originRequestHeaders(c.req.raw.headers, {
          requestId: c.get("requestId"),
          originToken: config.originToken,
          adminToken: config.adminToken,
        }),
        body: how.body,
      },
    });
  } finally {
    if (how.prediction && how.preview === null) link.telemetry.noteServed();
    link.afterRequest(c.env, config, c.executionCtx);
  }
}

/** POST /predict and /predict/batch (at `path`): validate, then serve. */
export function predictHandler(path: string, kind: PredictKind) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const preview = await previewColor(c);
    const body = await validatePrediction(c.req.raw, kind, c.get("config").maxTextChars);
    const url = c.req.url;
    const query = url.indexOf("?");
    return forward(c, query === -1 ? path : path + url.slice(query), { body, replayable: true, preview, prediction: true });
  };
}

/** Any other non-admin request: passed on when PROXY_PATHS allows it (or a preview reads /health, /ready), else 404. */
export async function proxyHandler(c: Context<AppEnv>): Promise<Response> {
  // The URL parser's path (dot segments resolved in every spelling), not Hono's decoded one: what the origin gets.
  const url = new URL(c.req.url);
  const pathname = url.pathname;
  const preview = await previewColor(c);
  const previewRead = preview !== null && PREVIEW_READS.has(pathname) && (c.req.method === "GET" || c.req.method === "HEAD");
  if (!(previewRead || allowsPath(c.get("config").proxyPaths, pathname)) || isFaultPath(pathname)) {
    throw new HttpError("not_found", "no such route");
  }
  // A GET or HEAD that got this far has no body, or an empty one (app.ts), which is none.
  const method = c.req.method;
  const body = method === "GET" || method === "HEAD" ? null : c.req.raw.body;
  return forward(c, pathname + url.search, { body, replayable: body === null, preview, prediction: false });
}
