// Covers worker/src/dashboard/routes.ts through the router, with the ASSETS
// binding of wrangler.toml's [assets] (the build test/dashboard/global-setup.ts
// made): GET /admin serves the app shell as HTML and /admin/app.js and
// /admin/app.css its code, byte for byte the files of that build, all
// without a token and with the security headers of worker/dashboard/_headers
// (strict CSP, no-store, DENY, no-referrer, nosniff); none carries admin data
// (no deployment name, origin, epoch or token); the page has no inline
// script or style, so the CSP holds; the script keeps the token to
// sessionStorage and a bearer header and writes no HTML; every other /admin
// path still answers 401 without the token, and no other path reaches the
// assets.
import { inject } from "vitest";
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, ORIGIN_TOKEN, adminRequest, controller, newIsolate, sendSettled, testEnv } from "../helpers.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** SHA-256 (hex) of each file of the dashboard build, by its path in the assets directory. */
    dashboardAssets: Record<string, string>;
  }
}

/** The policy the dashboard is served under: only this origin's script, style and API; nothing inline; no framing. */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Each dashboard path and the file of the build it serves. */
const SERVED = { "/admin": "admin.html", "/admin/app.js": "admin/app.js", "/admin/app.css": "admin/app.css" } as const;

async function get(path: string, e = testEnv()) {
  const res = await sendSettled(newIsolate(), e, new Request(`https://router.test${path}`));
  return { res, body: await res.text(), env: e };
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function expectSecurityHeaders(res: Response) {
  expect(res.headers.get("content-security-policy")).toBe(CSP);
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(res.headers.get("x-frame-options")).toBe("DENY");
  expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  expect(res.headers.get("cross-origin-opener-policy")).toBe("same-origin");
  expect(res.headers.get("cross-origin-resource-policy")).toBe("same-origin");
}

describe("GET /admin", () => {
  it("serves the page without a token, with the security headers", async () => {
    const { res, body } = await get("/admin");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expectSecurityHeaders(res);
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(body).toMatch(/^<!doctype html>/);
    expect(body).toContain('<script src="/admin/app.js" defer></script>');
    expect(body).toContain('<link rel="stylesheet" href="/admin/app.css">');
    expect(body).toContain('id="token"');
  });

  it("has a CSP that allows only this origin's script, style and API, and no framing", () => {
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"]) {
      expect(CSP).toContain(directive);
    }
    expect(CSP).not.toContain("unsafe");
  });

  it("has no inline script, style or event handler (the CSP would block them)", async () => {
    const { body } = await get("/admin");
    expect(body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(body).not.toMatch(/<style/);
    expect(body).not.toMatch(/\sstyle=/);
    expect(body).not.toMatch(/\son[a-z]+=/);
  });

  it("carries no admin data, even after a flip", async () => {
    const e = testEnv();
    await controller(e).flip({ to: "green", actor: "alice", reason: "secret-looking reason" });
    for (const path of Object.keys(SERVED)) {
      const { body } = await get(path, e);
      for (const secret of [e.DEPLOYMENT_NAME, e.BLUE_ORIGINS, e.GREEN_ORIGINS, ADMIN_TOKEN, ORIGIN_TOKEN, "secret-looking reason", "alice"]) {
        expect(body, `${path} contains ${secret}`).not.toContain(secret);
      }
    }
  });
});

describe("GET /admin/app.js and /admin/app.css", () => {
  it("serve the script and the stylesheet without a token, with the same headers", async () => {
    const js = await get("/admin/app.js");
    expect(js.res.status).toBe(200);
    expect(js.res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expectSecurityHeaders(js.res);
    expect(js.body).toMatch(/^"use strict";/);
    expect(js.body).toContain("sessionStorage");
    const css = await get("/admin/app.css");
    expect(css.res.status).toBe(200);
    expect(css.res.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expectSecurityHeaders(css.res);
  });

  it("serve exactly the files of the dashboard build", async () => {
    const built = inject("dashboardAssets");
    for (const [path, file] of Object.entries(SERVED)) {
      expect(built[file], file).toMatch(/^[0-9a-f]{64}$/);
      expect(await sha256((await get(path)).body), path).toBe(built[file]);
    }
  });

  it("the script keeps the token to sessionStorage and a bearer header, and never writes HTML", async () => {
    const { body } = await get("/admin/app.js");
    expect(body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect(body).not.toMatch(/localStorage|document\.cookie/);
    expect(body).toMatch(/authorization:`Bearer \$\{\w+\}`/);
  });
});

describe("the rest of /admin", () => {
  it("still needs the token", async () => {
    const e = testEnv();
    for (const path of ["/admin/status", "/admin/history", "/admin/timeline", "/admin/", "/admin/other", "/admin/admin.html", "/admin/_headers"]) {
      const res = await sendSettled(newIsolate(), e, adminRequest("GET", path, undefined, null));
      expect(res.status, path).toBe(401);
    }
    const post = await sendSettled(newIsolate(), e, adminRequest("POST", "/admin", {}, null));
    expect(post.status).toBe(401);
  });
});
