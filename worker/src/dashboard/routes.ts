/**
 * The operator dashboard: GET /admin (the page), /admin/app.js and
 * /admin/app.css, served as Workers Static Assets through the ASSETS binding
 * (built from worker/dashboard/ by control/src/stack/dashboard-bundle.ts).
 * None of the three carries data or needs the token — the page asks for it
 * and reads everything from the token-protected JSON API (admin/routes.ts).
 * The asset server adds the headers of worker/dashboard/_headers: a
 * Content-Security-Policy that allows nothing inline and nothing from
 * another origin, never cached, never framed, never sending a referrer.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app-env.js";

/** The dashboard's paths under /admin; each is the asset of the same path (the page is admin.html). */
export const DASHBOARD_PATHS = ["/", "/app.js", "/app.css"] as const;

/** The dashboard routes, mounted at /admin before the admin API (whose every route needs the token). */
export function dashboardRoutes(): Hono<AppEnv> {
  const dashboard = new Hono<AppEnv>();
  for (const path of DASHBOARD_PATHS) {
    dashboard.get(path, async (c) => {
      const asset = await c.env.ASSETS.fetch(c.req.raw);
      // A copy with mutable headers: the app adds x-request-id to every answer.
      return new Response(asset.body, asset);
    });
  }
  return dashboard;
}
