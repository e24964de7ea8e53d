// Covers worker/src/dashboard/routes.ts through the router: GET /admin serves
// the app shell as HTML and /admin/app.js and /admin/app.css its code, all
// without a token and with the security headers (strict CSP, no-store, DENY,
// no-referrer, nosniff); none carries admin data (no deployment name, origin,
// epoch or token); the page has no inline script or style, so the CSP holds;
// every other /admin path still answers 401 without the token.
import { describe, expect, it } from "vitest";
import { DASHBOARD_CSP } from "../../../worker/src/dashboard/routes.js";
import { ADMIN_TOKEN, ORIGIN_TOKEN, adminRequest, controller, newIsolate, sendSettled, testEnv } from "../helpers.js";

async function get(path: string, e = testEnv()) {
  const res = await sendSettled(newIsolate(), e, new Request(`https://router.test${path}`));
  return { res, body: await res.text(), env: e };
}

function expectSecurityHeaders(res: Response) {
  expect(res.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(res.headers.get("x-frame-options")).toBe("DENY");
  expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
}

describe("GET /admin", () => {
  it("serves the page without a token, with the security headers", async () => {
    const { res, body } = await get("/admin");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expectSecurityHeaders(res);
    expect(body).toMatch(/^<!doctype html>/);
    expect(body).toContain('<script src="/admin/app.js" defer></script>');
    expect(body).toContain('<link rel="stylesheet" href="/admin/app.css">');
    expect(body).toContain('id="token"');
  });

  it("has a CSP that allows only this origin's script, style and API, and no framing", () => {
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"]) {
      expect(DASHBOARD_CSP).toContain(directive);
    }
    expect(DASHBOARD_CSP).not.toContain("unsafe");
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
    for (const path of ["/admin", "/admin/app.js", "/admin/app.css"]) {
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
    expect(js.body).toContain('"use strict"');
    expect(js.body).toContain("sessionStorage");
    const css = await get("/admin/app.css");
    expect(css.res.status).toBe(200);
    expect(css.res.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expectSecurityHeaders(css.res);
  });

  it("the script never puts the token in a URL and never writes HTML from data", async () => {
    const { body } = await get("/admin/app.js");
    expect(body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect(body).not.toMatch(/localStorage/);
    expect(body).toContain('authorization: "Bearer " + token');
  });
});

describe("the rest of /admin", () => {
  it("still needs the token", async () => {
    const e = testEnv();
    for (const path of ["/admin/status", "/admin/history", "/admin/timeline", "/admin/", "/admin/other"]) {
      const res = await sendSettled(newIsolate(), e, adminRequest("GET", path, undefined, null));
      expect(res.status, path).toBe(401);
    }
    const post = await sendSettled(newIsolate(), e, adminRequest("POST", "/admin", {}, null));
    expect(post.status).toBe(401);
  });
});
