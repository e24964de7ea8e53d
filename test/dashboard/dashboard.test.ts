// The operator dashboard (GET /admin) in Debian's Chromium against real parts
// on loopback: blue = model server v1, green = v2 with FAULT_CONTROL=1, the
// real router Worker in local workerd, and 50 predictions a second through
// it. Covers, in order: without a token the page shows the prompt, holds no
// data and calls no API; a wrong token shows the API's 401 message and is
// forgotten; the right one shows blue active with both colours' versions and
// health; no "Roll back" at the first epoch or once rolled back, where the
// API refuses one (it says why instead); a flip to green with a reason (sent
// with expectedEpoch) shows green baking, the history row, a "Roll back"
// button, and never blue's verdict as the verdict on green; faults in green
// bring the automatic rollback onto the page (history, chart markers); the
// predictions card shows each colour's label shares, blue's baseline marked
// on green's after the flip, and the drift verdict; a
// stale epoch shows the 409 message; at 390 px nothing overflows; a token
// that stops working brings the prompt back and clears the data; the token
// never appears in a URL; shadowing green shows the shadow card (counts,
// agreement chart, verdict) and its end. Screenshots: test-artifacts/dashboard/*.png.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/browser.js";
import { admin, adminAnswer, setFault, startLoad, type Load } from "../helpers/drill.js";
import { REPO_ROOT, startModelServer, type ModelServerHandle } from "../helpers/model-server.js";
import { startRouter, type RouterHandle } from "../helpers/router.js";

// The few browser globals the functions passed to page.evaluate use (they run in Chromium; this project has no DOM lib).
declare const document: {
  querySelector(selector: string): { textContent: string | null; getAttribute(name: string): string | null } | null;
  documentElement: { scrollWidth: number };
};
declare const window: { innerWidth: number };
declare const sessionStorage: { length: number; getItem(key: string): string | null; setItem(key: string, value: string): void };

const ORIGIN_TOKEN = "dashboard-origin-token-7a2d";
const ARTIFACTS = path.join(REPO_ROOT, "test-artifacts", "dashboard");
const RPS = 50;
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

let blue: ModelServerHandle | undefined;
let green: ModelServerHandle | undefined;
let router: RouterHandle | undefined;
let load: Load | undefined;
let browser: Browser | undefined;
let desktop: BrowserContext | undefined;
let page: Page;
let faultsOffAt = 0;
const urls: string[] = [];
const posts: Array<{ url: string; body: string | null }> = [];

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  [blue, green] = await Promise.all([
    startModelServer({ version: "v1", env: { ORIGIN_TOKEN } }),
    startModelServer({ version: "v2", env: { ORIGIN_TOKEN, FAULT_CONTROL: "1" } }),
  ]);
  // A bake long enough to still be running when the faults start; probes every 2 s so versions show at once.
  router = await startRouter({
    blueOrigins: [blue.url],
    greenOrigins: [green.url],
    originToken: ORIGIN_TOKEN,
    vars: { BAKE_SECONDS: "300", HEALTH_INTERVAL_SECONDS: "2" },
  });
  load = startLoad(router.url, { perSecond: RPS, maxDurationMs: 180_000 });
  desktop = await newContext(DESKTOP);
  page = await desktop.newPage();
}, 90_000);

afterAll(async () => {
  await load?.stop();
  await desktop?.close().catch(() => {});
  await browser?.close();
  await router?.stop();
  await Promise.all([blue?.stop(), green?.stop()]);
}, 60_000);

async function newContext(viewport: { width: number; height: number }): Promise<BrowserContext> {
  const context = await browser!.newContext({ viewport });
  context.on("request", (r) => {
    urls.push(r.url());
    if (r.method() === "POST") posts.push({ url: r.url(), body: r.postData() });
  });
  return context;
}

async function shot(p: Page, name: string): Promise<void> {
  await p.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Waits until the text of `selector` matches `pattern`. */
async function waitText(p: Page, selector: string, pattern: RegExp, timeout = 15_000): Promise<void> {
  try {
    await p.waitForFunction(
      ([sel, source, flags]) => new RegExp(source!, flags).test(document.querySelector(sel!)?.textContent ?? ""),
      [selector, pattern.source, pattern.flags],
      { timeout, polling: 100 },
    );
  } catch (err) {
    const text = await p.locator(selector).first().textContent().catch(() => null);
    throw new Error(`${selector} never matched ${pattern} (text now: ${JSON.stringify(text)}): ${String(err)}`);
  }
}

async function signIn(p: Page, token: string): Promise<void> {
  await p.fill("#token", token);
  await p.click("#login-form button[type=submit]");
}

function historyRows(p: Page): Promise<string[]> {
  return p.locator("#history tbody tr").allTextContents();
}

describe("the operator dashboard in Chromium", () => {
  it("without a token: the prompt, no data, no API call; the API answers 401", async () => {
    await page.goto(`${router!.url}/admin`);
    await page.locator("#login").waitFor({ state: "visible" });
    expect(await page.locator("#dash").isHidden()).toBe(true);
    expect(await page.locator("#active").textContent()).toBe("");
    expect(await page.locator("#deployment").textContent()).toBe("");
    expect(await page.locator("#history tbody tr").count()).toBe(0);
    const paths = urls.map((u) => new URL(u).pathname);
    expect(new Set(paths)).toEqual(new Set(["/admin", "/admin/app.js", "/admin/app.css"]));
    const unauthenticated = await page.evaluate(async () => {
      const res = await fetch("/admin/status");
      return { status: res.status, body: await res.text() };
    });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.body).not.toContain("epoch");
    await shot(page, "01-token-prompt");
  });

  it("a wrong token: the API's 401 message, the token forgotten, still no data", async () => {
    await signIn(page, "not-the-admin-token");
    await waitText(page, "#login-error", /missing or wrong admin token/);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await page.locator("#dash").isHidden()).toBe(true);
    expect(await page.locator("#active").textContent()).toBe("");
    await shot(page, "02-wrong-token");
  });

  it("the right token: blue active, stable, epoch 1, both colours' versions and health", async () => {
    await signIn(page, router!.adminToken);
    await waitText(page, "#active", /^blue$/);
    await waitText(page, "#color-blue", /healthy.*v1/s);
    await waitText(page, "#color-green", /healthy.*v2/s);
    expect(await page.locator("#phase").textContent()).toBe("stable");
    expect(await page.locator("#epoch").textContent()).toBe("1");
    expect(await page.locator("#color-blue").textContent()).toContain(blue!.url);
    expect(await page.locator("#color-green").textContent()).toMatch(/Digest\s*sha256:/);
    expect(await page.locator("#login").isHidden()).toBe(true);
    // Blue's traffic reaches the chart; the last 2 minutes from now on (the range select refreshes at once).
    await page.locator("#charts path.line.blue").first().waitFor({ timeout: 15_000 });
    // …and its label shares the predictions card (no baseline yet: none is frozen before a flip).
    await page.locator("#labels-blue rect.bar.blue").first().waitFor({ timeout: 15_000 });
    expect(await page.locator("#labels-blue").textContent()).toMatch(/^blue: [\d,]+ predictions.*\d+%.*no baseline frozen yet/s);
    await page.selectOption("#minutes", "2");
    await page.waitForResponse((r) => r.url().endsWith("/admin/timeline?minutes=2") && r.status() === 200);
    await shot(page, "03-blue-active");
  }, 30_000);

  it("shadowing green: the shadow card shows the mirror's counts, the agreement chart and the gate's verdict; stopped, it says so", async () => {
    expect(await page.locator("#shadow").isHidden()).toBe(true);
    await admin(router!, "POST", "/admin/shadow", { sample: 1, seconds: 600, reason: "dashboard drill" });
    await waitText(page, "#shadow-state", /^shadowing green behind blue at sample 1, until /);
    await waitText(page, "#shadow-compared", /^[1-9]\d*$/);
    await waitText(page, "#shadow-agreement", /^\d+(\.\d+)?% \(\d+(\.\d+)?%–\d+(\.\d+)?%\)$/);
    expect(await page.locator("#shadow-errors").textContent()).toBe("0");
    expect(await page.locator("#shadow-verdict").textContent()).toMatch(/^Shadow gate: (could not measure|passed) — /);
    await page.locator("#shadow-chart path.line.green").first().waitFor({ state: "attached", timeout: 20_000 });
    expect(await page.locator("#shadow-chart line.threshold").count()).toBe(1);
    await shot(page, "03b-shadowing-green");
    await admin(router!, "DELETE", "/admin/shadow");
    await waitText(page, "#shadow-state", /^shadowing of green stopped at /);
    await waitText(page, "#history tbody tr:first-child", /shadow_end blue → green/);
  }, 40_000);

  it("at the first epoch: a flip is offered, a rollback is not (the API refuses one), and the page says why", async () => {
    expect(await page.locator("#flip").isVisible()).toBe(true);
    expect(await page.locator("#flip").textContent()).toBe("Flip to green…");
    expect(await page.locator("#rollback").isHidden()).toBe(true);
    expect(await page.locator("#actions-note").textContent()).toMatch(/^No rollback: nothing to roll back: blue has been active since/);
    const refused = await adminAnswer(router!, "POST", "/admin/rollback", { reason: "nothing to undo yet", expectedEpoch: 1 });
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toMatch(/^nothing to roll back/);
    expect(await page.locator("#epoch").textContent()).toBe("1");
  });

  it("flips to green with a reason and expectedEpoch; shows green baking and the history row", async () => {
    await page.click("#flip");
    await waitText(page, "#confirm-title", /Flip to green\?/);
    // No reason, no flip.
    await page.click("#confirm-ok");
    await waitText(page, "#confirm-error", /Give a reason/);
    await page.fill("#confirm-reason", "ship v2 from the dashboard");
    await page.click("#confirm-ok");
    await waitText(page, "#active", /^green$/);
    // The first view of green: the last verdict is still blue's (until the controller judges green), and says so.
    const verdictAfterFlip = await page.locator("#verdict").textContent();
    expect(verdictAfterFlip).not.toMatch(/^Verdict on blue/);
    expect(verdictAfterFlip).toMatch(/^(No verdict on green yet \(epoch 2\)\. The last one, on blue at epoch 1: |Verdict on green: )/);
    await waitText(page, "#verdict", /^Verdict on green: /);
    expect(await page.locator("#rollback").textContent()).toBe("Roll back to blue…");
    expect(await page.locator("#rollback").isVisible()).toBe(true);
    expect(await page.locator("#actions-note").textContent()).toBe("");
    await waitText(page, "#phase", /^baking$/);
    expect(await page.locator("#epoch").textContent()).toBe("2");
    await waitText(page, "#bake", /^[45]:\d\d left$/);
    await waitText(page, "#history tbody tr:first-child", /flip blue → green.*2.*dashboard.*ship v2 from the dashboard/);
    const flip = posts.find((p) => p.url.endsWith("/admin/flip"));
    expect(JSON.parse(flip!.body!)).toEqual({ to: "green", reason: "ship v2 from the dashboard", expectedEpoch: 1 });
    await page.locator("#charts line.marker.flip").first().waitFor({ state: "attached", timeout: 5_000 });
    await page.locator("#charts path.line.green").first().waitFor({ timeout: 15_000 });
    // Green's label shares, blue's baseline (frozen at the flip) marked on them, and the drift verdict.
    await page.locator("#labels-green rect.bar.green").first().waitFor({ timeout: 15_000 });
    await page.locator("#labels-green line.baseline").first().waitFor({ state: "attached", timeout: 5_000 });
    expect(await page.locator("#labels-green").textContent()).toMatch(/drift (healthy|inconclusive): .*ticks: baseline, blue's last 10 min/s);
    await shot(page, "04-flipped-to-green");
  }, 40_000);

  it("faults in green: the automatic rollback appears on the page", async () => {
    await setFault(green!.url, ORIGIN_TOKEN, { rate: 0.5 });
    try {
      await waitText(page, "#active", /^blue$/, 30_000);
      await waitText(page, "#phase", /^rolled back$/);
      await waitText(page, "#history tbody tr:first-child", /rollback green → blue\s*auto.*3.*controller/);
      expect(await page.locator("#armed").textContent()).toBe("disarmed");
      // Rolled back: nothing more to roll back, so no button, and the API agrees.
      expect(await page.locator("#rollback").isHidden()).toBe(true);
      expect(await page.locator("#actions-note").textContent()).toMatch(/No rollback: already rolled back to blue; flip to move traffic again/);
      expect(await page.locator("#flip").isVisible()).toBe(true);
      expect((await adminAnswer(router!, "POST", "/admin/rollback", { reason: "again", expectedEpoch: 3 })).status).toBe(409);
      // Green's failed verdict is shown as green's, at its epoch, never as a verdict on blue.
      expect(await page.locator("#verdict").textContent()).toMatch(/^(No verdict on blue yet \(epoch 3\)\. The last one, on green at epoch 2: failed|Verdict on blue: )/);
      expect(await page.locator("#history tbody tr:first-child td.reason").textContent()).toMatch(/errors, error-rate lower bound .* > 5\.0%/);
      // The flip and the rollback, besides the shadowing's start and end before the flip.
      expect((await historyRows(page)).filter((row) => !row.includes("shadow_"))).toHaveLength(2);
      expect(await historyRows(page)).toHaveLength(4);
      // The chart marks the rollback and shows green's errors (how high depends on where the 5-second bucket cut).
      await page.locator("#charts line.marker.rollback").first().waitFor({ state: "attached", timeout: 10_000 });
      await page.waitForFunction(
        () => Number(document.querySelector("#charts .chart:nth-child(2) path.line.green")?.getAttribute("data-max") ?? 0) > 0,
        undefined,
        { timeout: 10_000, polling: 100 },
      );
      await shot(page, "05-auto-rollback");
    } finally {
      await setFault(green!.url, ORIGIN_TOKEN, { rate: 0 });
      faultsOffAt = Date.now();
    }
  }, 60_000);

  it("a stale epoch: the flip is refused with the API's 409 message", async () => {
    await page.click("#flip");
    await waitText(page, "#confirm-text", /epoch is still 3/);
    // Someone else flips meanwhile — in a later second than green's last failed answers: the
    // controller judges the new bake from the flip's whole second, which would count them.
    await sleep(Math.max(0, faultsOffAt + 2_000 - Date.now()));
    await admin(router!, "POST", "/admin/flip", { to: "green", reason: "flipped by someone else", expectedEpoch: 3 });
    await page.fill("#confirm-reason", "retry v2");
    await page.click("#confirm-ok");
    await waitText(page, "#confirm-error", /Refused \(409\): expected epoch 3 but the deployment is at epoch 4/);
    await shot(page, "06-stale-epoch");
    await page.click("#confirm-cancel");
    await waitText(page, "#epoch", /^4$/);
  }, 30_000);

  it("is readable at a phone's width: nothing wider than the screen", async () => {
    const phone = await newContext(PHONE);
    try {
      const p = await phone.newPage();
      await p.goto(`${router!.url}/admin`);
      await signIn(p, router!.adminToken);
      await waitText(p, "#active", /^green$/);
      await p.selectOption("#minutes", "2");
      await p.waitForResponse((r) => r.url().endsWith("/admin/timeline?minutes=2") && r.status() === 200);
      await p.locator("#charts path.line").first().waitFor();
      await waitText(p, "#history tbody", /flipped by someone else/);
      const widths = await p.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: window.innerWidth }));
      expect(widths.page).toBeLessThanOrEqual(widths.viewport);
      await shot(p, "07-phone");
    } finally {
      await phone.close();
    }
  }, 30_000);

  it("a token that stops working: the prompt with the 401 message, data cleared", async () => {
    await page.evaluate(() => sessionStorage.setItem("bluegreen.adminToken", "revoked-token"));
    await waitText(page, "#login-error", /missing or wrong admin token/, 10_000);
    expect(await page.locator("#dash").isHidden()).toBe(true);
    expect(await page.locator("#active").textContent()).toBe("");
    expect(await page.locator("#history tbody tr").count()).toBe(0);
    expect(await page.evaluate(() => sessionStorage.getItem("bluegreen.adminToken"))).toBeNull();
  });

  it("never put the token in a URL", () => {
    expect(urls.length).toBeGreaterThan(10);
    for (const url of urls) expect(url).not.toContain(router!.adminToken);
  });
});
