// Covers control/src/stack/dashboard-bundle.ts, the dashboard's one build:
// it writes exactly the page, the minified script and stylesheet and
// _headers (and removes a file an older build left), writes no temporary
// file where it could be served, and makes the same bytes wherever it
// builds — so the dist/dashboard that `wrangler deploy` uploads and the
// workerd tests serve is what `npm start`'s router serves, which this file
// checks over HTTP: each dashboard path answers the build's bytes with the
// headers of worker/dashboard/_headers.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDashboard, DASHBOARD_SOURCES } from "../../control/src/stack/dashboard-bundle.js";
import { closedPortUrl } from "../helpers/recorder-origin.js";
import { startRouter, type RouterHandle } from "../helpers/router.js";

const FILES = ["_headers", "admin.html", "admin/app.css", "admin/app.js"];
const dirs: string[] = [];

async function freshBuild(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), "dashboard-build-test-"));
  dirs.push(root);
  const out = path.join(root, "assets");
  await buildDashboard(out);
  return out;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe("buildDashboard", () => {
  it("writes the page, the script, the stylesheet and _headers, and nothing beside them", async () => {
    const out = await freshBuild();
    expect(await filesUnder(out)).toEqual(FILES);
    expect(await readdir(path.dirname(out))).toEqual(["assets"]);
    const js = await readFile(path.join(out, "admin/app.js"), "utf8");
    expect(js.startsWith('"use strict";')).toBe(true);
    // Minified: the sources' comments and indentation are gone.
    expect(js).not.toContain("sessionStorage only");
    expect(js.split("\n").length).toBeLessThan(10);
    expect(await readFile(path.join(out, "admin.html"), "utf8")).toBe(await readFile(path.join(DASHBOARD_SOURCES, "page.html"), "utf8"));
    expect(await readFile(path.join(out, "_headers"), "utf8")).toBe(await readFile(path.join(DASHBOARD_SOURCES, "_headers"), "utf8"));
  });

  it("makes the same bytes wherever it builds, and removes what an older build left", async () => {
    const [a, b] = [await freshBuild(), await freshBuild()];
    await writeFile(path.join(b, "admin/old.js"), "stale");
    await buildDashboard(b);
    expect(await filesUnder(b)).toEqual(FILES);
    for (const file of FILES) expect(await readFile(path.join(b, file)), file).toEqual(await readFile(path.join(a, file)));
  });
});

describe("the router npm start runs", () => {
  let router: RouterHandle | undefined;
  beforeAll(async () => {
    // No origin is needed: the dashboard is the router's own.
    const nowhere = await closedPortUrl();
    router = await startRouter({ blueOrigins: [nowhere], greenOrigins: [nowhere] });
  }, 60_000);
  afterAll(async () => {
    await router?.stop();
  });

  it("serves each dashboard path as the build's file, with the headers of _headers", async () => {
    const out = await freshBuild();
    const headers = await readFile(path.join(DASHBOARD_SOURCES, "_headers"), "utf8");
    const csp = /Content-Security-Policy: (.+)/.exec(headers)?.[1];
    expect(csp).toContain("script-src 'self'");
    for (const [url, file] of [["/admin", "admin.html"], ["/admin/app.js", "admin/app.js"], ["/admin/app.css", "admin/app.css"]] as const) {
      const res = await fetch(`${router!.url}${url}`);
      expect(res.status, url).toBe(200);
      expect(res.headers.get("content-security-policy"), url).toBe(csp);
      expect(res.headers.get("cache-control"), url).toBe("no-store");
      expect(Buffer.from(await res.arrayBuffer()), url).toEqual(await readFile(path.join(out, file)));
    }
    // The build's own files are not routes of the router.
    for (const url of ["/admin/", "/admin.html", "/_headers"]) expect((await fetch(`${router!.url}${url}`)).status, url).not.toBe(200);
  });
});
