/**
 * The operator dashboard: GET /admin serves the app shell,
 * /admin/app.js and /admin/app.css its code and style. None of the three
 * carries data or needs the token — the page asks for it and reads
 * everything from the token-protected JSON API (admin/routes.ts). Served
 * with a Content-Security-Policy that allows nothing inline and nothing from
 * another origin, never cached, never framed, never sending a referrer.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app-env.js";
import { APP_JS } from "./app-script.js";
import { CHART_JS } from "./chart-script.js";
import { DASHBOARD_CSS } from "./page-css.js";
import { DASHBOARD_HTML } from "./page-html.js";
import { STATUS_RULES_JS } from "./status-rules-script.js";

/** The Content-Security-Policy of the dashboard's answers. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Headers of every dashboard answer. */
export const DASHBOARD_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": DASHBOARD_CSP,
  "cache-control": "no-store",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

/** /admin/app.js: the chart, the status rules and the app in one strict-mode scope. */
const DASHBOARD_JS = `(function () {\n"use strict";\n${CHART_JS}\n${STATUS_RULES_JS}\n${APP_JS}\n})();\n`;

function asset(body: string, contentType: string): () => Response {
  return () => new Response(body, { headers: { ...DASHBOARD_HEADERS, "content-type": contentType } });
}

/** The dashboard routes, mounted at /admin before the admin API (whose every route needs the token). */
export function dashboardRoutes(): Hono<AppEnv> {
  const dashboard = new Hono<AppEnv>();
  dashboard.get("/", asset(DASHBOARD_HTML, "text/html; charset=utf-8"));
  dashboard.get("/app.js", asset(DASHBOARD_JS, "text/javascript; charset=utf-8"));
  dashboard.get("/app.css", asset(DASHBOARD_CSS, "text/css; charset=utf-8"));
  return dashboard;
}
