/**
 * The traffic routes: /predict and /predict/batch validated at the edge,
 * every other non-admin path proxied as-is, both served from the active
 * colour's pool with failover (failover.ts). A preview request
 * (x-bluegreen-preview + admin token) goes to the colour it names.
 */
import type { Context } from "hono";
import type { AppEnv } from "./app-env.js";
import { isAdmin, unauthorized } from "./admin/auth.js";
import { PreviewColor } from "./admin/schemas.js";
import { validatePrediction, type PredictKind } from "./edge-validation.js";
import { HttpError } from "./errors.js";
import { serve } from "./failover.js";
import { originRequestHeaders } from "./proxy.js";
import type { Color } from "./telemetry-types.js";

/** The preview colour of a request, after checking the admin token (401 otherwise). */
async function previewColor(c: Context<AppEnv>): Promise<Color | null> {
  const header = c.req.header("x-bluegreen-preview");
  if (header === undefined) return null;
  if (!(await isAdmin(c.req.raw, c.get("config").adminToken))) throw unauthorized();
  const parsed = PreviewColor.safeParse(header.trim().toLowerCase());
  if (!parsed.success) throw new HttpError("invalid_request", 'x-bluegreen-preview must be "blue" or "green"');
  return parsed.data;
}

async function forward(
  c: Context<AppEnv>,
  body: Uint8Array | ReadableStream | null,
  replayable: boolean,
  preview: Color | null,
): Promise<Response> {
  const config = c.get("config");
  const isolate = c.get("isolate");
  const link = isolate.link(config.deployment);
  const state = await link.routing(c.env, config, c.executionCtx);
  const url = new URL(c.req.url);
  try {
    return await serve({
      state,
      config,
      pools: isolate.pools,
      link,
      replayable,
      preview,
      request: {
        method: c.req.method,
        pathAndQuery: url.pathname + url.search,
        headers: originRequestHeaders(c.req.raw.headers, {
          requestId: c.get("requestId"),
          originToken: config.originToken,
          dropAuthorization: preview !== null,
        }),
        body,
      },
    });
  } finally {
    if (preview === null) link.telemetry.noteServed();
    link.maybeSync(c.env, config, c.executionCtx);
  }
}

/** POST /predict and /predict/batch: validate, then serve. */
export function predictHandler(kind: PredictKind) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const preview = await previewColor(c);
    const body = await validatePrediction(c.req.raw, kind, c.get("config").maxTextChars);
    return forward(c, body, true, preview);
  };
}

/** Any other non-admin request: proxied as-is (failover only when there is no body to resend). */
export async function proxyHandler(c: Context<AppEnv>): Promise<Response> {
  const preview = await previewColor(c);
  const body = c.req.raw.body;
  return forward(c, body, body === null, preview);
}
