// Bring your own model server, end to end (docs/architecture.md "Bring your
// own model server"): two FastAPI servers in the seed's shape
// (test/fixtures/fastapi-server: no model_name, digest, /ready,
// /predict/batch or origin token; blue v1, green v2 with PUT /fault) behind
// the real router Worker in local workerd. Covers: the fixture itself (503
// {"status":"unhealthy"} while loading, the seed's answers, evenly spread
// injected faults); predictions, the router's /health and `bluegreen status`
// (both colours healthy with their versions, no digest: null, not an
// error); `validate --via-router`; `rollout green` through validate, flip
// and bake; an automatic rollback of a green failing 30% of predictions
// with 0 user errors; and `status` naming a pool whose /health route is
// missing, with the contract's section.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type BrokenOrigin, startBrokenOrigin } from "../helpers/broken-origin.js";
import { admin, startLoad, summarize, waitUntil, type Sample } from "../helpers/drill.js";
import { type FastApiServerHandle, startFastApiServer } from "../helpers/fastapi-server.js";
import { type RouterHandle, startRouter } from "../helpers/router.js";
import { jsonOf, runCli, show } from "../control/run-cli.js";

/** A quick controller: short bake and windows, frequent probes and reports. */
const FAST_POLICY = { BAKE_SECONDS: "8", HEALTH_INTERVAL_SECONDS: "1", FAST_WINDOW_SECONDS: "5", MIN_REQUESTS: "20", REPORT_INTERVAL_MS: "250", FLAG_TTL_MS: "250" };
/** Small validation so a rollout gets to the flip quickly; p99 is not what these tests are about. */
const QUICK_VALIDATE = ["--requests", "60", "--concurrency", "6", "--max-p99-ratio", "20", "--max-p99-ms", "5000"];
const json = { "content-type": "application/json" };

let blue: FastApiServerHandle;
let green: FastApiServerHandle;
let router: RouterHandle | undefined;

beforeAll(async () => {
  [blue, green] = await Promise.all([startFastApiServer({ version: "v1" }), startFastApiServer({ version: "v2", env: { FAULT_CONTROL: "1" } })]);
}, 60_000);

afterEach(async () => {
  await router?.stop();
  router = undefined;
  await green.setFaultRate(0);
});

afterAll(async () => {
  await Promise.all([blue?.stop(), green?.stop()]);
});

/** A router in front of the two fixtures (it sends an origin token; they ignore it). */
async function newRouter(vars: Record<string, string> = FAST_POLICY, greenOrigins = [green.url]): Promise<RouterHandle> {
  router = await startRouter({ blueOrigins: [blue.url], greenOrigins, originToken: "byo-origin-token-9e2f", vars });
  return router;
}

const cliEnv = (r: RouterHandle) => ({ ROUTER_URL: r.url, ADMIN_TOKEN: r.adminToken, BLUE_URL: blue.url, GREEN_URL: green.url });

/** The status once the controller has probed both colours (healthy or not). */
function probed(r: RouterHandle) {
  return waitUntil("both colours probed", async () => {
    const s = await admin(r, "GET", "/admin/status");
    return s.colors.blue.health.checkedAt && s.colors.green.health.checkedAt ? s : undefined;
  }, 15_000);
}

describe("the FastAPI fixture", () => {
  it("answers 503 {\"status\":\"unhealthy\"} while loading, then the seed's /health and /predict; no optional route", async () => {
    const slow = await startFastApiServer({ version: "v7", env: { LOAD_SECONDS: "2" }, until: "answering" });
    try {
      const loading = await fetch(`${slow.url}/health`);
      expect(loading.status).toBe(503);
      expect(await loading.json()).toEqual({ status: "unhealthy" });
      const health = await waitUntil("the model loaded", async () => {
        const res = await fetch(`${slow.url}/health`);
        return res.status === 200 ? res.json() : undefined;
      }, 10_000);
      expect(health).toEqual({ status: "healthy", model_version: "v7", uptime_seconds: expect.any(Number), request_count: 0, error_rate: 0 });
      const res = await fetch(`${slow.url}/predict`, { method: "POST", headers: json, body: JSON.stringify({ text: "I love it, works great" }) });
      expect(await res.json()).toEqual({ prediction: "positive", confidence: expect.any(Number), model_version: "v7" });
      for (const [method, path] of [["GET", "/ready"], ["POST", "/predict/batch"], ["PUT", "/fault"]] as const) {
        expect((await fetch(`${slow.url}${path}`, { method, headers: json, body: method === "GET" ? undefined : "{}" })).status, path).toBe(404);
      }
    } finally {
      await slow.stop();
    }
  }, 30_000);

  it("fails exactly the share of predictions FAULT_RATE asks, spread evenly, as FastAPI's plain-text 500", async () => {
    const faulty = await startFastApiServer({ env: { FAULT_RATE: "0.25" } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`${faulty.url}/predict`, { method: "POST", headers: json, body: JSON.stringify({ text: "fine" }) });
        statuses.push(res.status);
        if (res.status === 500) expect(await res.text()).toBe("Internal Server Error");
        else await res.arrayBuffer();
      }
      expect(statuses.map((s) => (s === 500 ? "x" : ".")).join("")).toBe("...x...x...x...x...x");
      expect(await (await fetch(`${faulty.url}/health`)).json()).toMatchObject({ request_count: 20, error_rate: 0.25 });
    } finally {
      await faulty.stop();
    }
  }, 30_000);
});

describe("two FastAPI servers behind the router", () => {
  it("serves predictions; the router's /health and `bluegreen status` show both colours healthy with their versions", async () => {
    const r = await newRouter();
    const res = await fetch(`${r.url}/predict`, { method: "POST", headers: json, body: JSON.stringify({ text: "This is terrible, I hate it" }) });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-bluegreen-color")).toBe("blue");
    expect(await res.json()).toEqual({ prediction: "negative", confidence: expect.any(Number), model_version: "v1" });

    await probed(r);
    const health = await fetch(`${r.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "healthy", active: "blue" });

    const st = jsonOf<any>(await runCli(["--json", "status"], { env: cliEnv(r) }));
    for (const [c, version] of [["blue", "v1"], ["green", "v2"]] as const) {
      expect(st.colors[c].health, c).toMatchObject({ status: "healthy", version, digest: null, error: null });
      expect(st.colors[c].version, c).toBe(version);
    }
    const text = await runCli(["status"], { env: cliEnv(r) });
    expect(text.code, show(text)).toBe(0);
    expect(text.stdout).toMatch(/^blue +active +healthy +v1 /m);
    expect(text.stdout).toMatch(/^green +standby +healthy +v2 /m);
    expect(text.stdout).not.toMatch(/health +unhealthy/);
  }, 60_000);

  it("`validate --via-router` passes green through the router's preview", async () => {
    const r = await newRouter();
    await probed(r);
    const res = await runCli(["validate", "--via-router", "--color", "green", "--expect-version", "v2", ...QUICK_VALIDATE], { env: cliEnv(r), timeoutMs: 60_000 });
    expect(res.code, show(res)).toBe(0);
    expect(res.stdout).toMatch(/✓ health +v2 \(no digest reported\)/);
    expect(res.stdout).toMatch(/✓ smoke +4\/4 checks conform to the origin contract \(not offered, optional: \/predict\/batch, \/ready\)/);
    expect(res.stdout).toMatch(/✓ quality +accuracy [\d.]+% on 241 golden examples \(one \/predict per text: no \/predict\/batch\), blue [\d.]+%, agreement 100\.0%/);
  }, 60_000);

  it("`rollout green` validates, flips and passes the bake (exit 0)", async () => {
    const r = await newRouter();
    await probed(r);
    const load = startLoad(r.url, { perSecond: 25, maxDurationMs: 80_000 });
    let samples: Sample[];
    try {
      const res = await runCli(["rollout", "green", ...QUICK_VALIDATE, "--interval", "0.5", "--bake-timeout", "40"], { env: cliEnv(r), timeoutMs: 70_000 });
      expect(res.code, show(res)).toBe(0);
      expect(res.stdout).toMatch(/✓ flip +blue → green at epoch 2; baking for \d+s/);
      expect(res.stdout).toMatch(/✓ bake +green passed the bake and is stable/);
      expect(res.stdout).toMatch(/rollout passed: green serves all traffic/);
    } finally {
      samples = await load.stop();
    }
    expect(summarize(samples).non200).toBe(0);
    expect(samples.filter((s) => s.epoch === 2).every((s) => s.color === "green" && s.modelVersion === "v2")).toBe(true);
    expect(await admin(r, "GET", "/admin/status")).toMatchObject({ active: "green", phase: "stable", epoch: 2 });
  }, 90_000);

  it("rolls a green failing 30% of predictions back on its own, with 0 user errors", async () => {
    const r = await newRouter({ ...FAST_POLICY, BAKE_SECONDS: "600" });
    await probed(r);
    await green.setFaultRate(0.3);
    const load = startLoad(r.url, { perSecond: 50, maxDurationMs: 60_000 });
    let samples: Sample[];
    try {
      await waitUntil("blue traffic", async () => (load.samples.length >= 50 ? true : undefined), 10_000);
      await admin(r, "POST", "/admin/flip", { to: "green", reason: "byo drill: 30% failing green" });
      await waitUntil("the automatic rollback", async () => ((await admin(r, "GET", "/admin/status")).phase === "rolled_back" ? true : undefined), 15_000);
      await new Promise((res) => setTimeout(res, 1_000));
    } finally {
      samples = await load.stop();
    }
    const seen = summarize(samples);
    expect(seen.non200, JSON.stringify(samples.filter((s) => s.status !== 200).slice(0, 3))).toBe(0);
    expect(seen.failovers).toBeGreaterThan(0);
    const firstFailure = samples.find((s) => s.failover === "blue")!;
    const { entries } = await admin(r, "GET", "/admin/history");
    expect(entries[0]).toMatchObject({ kind: "auto", action: "rollback", from: "green", to: "blue", epoch: 3 });
    const decidedMs = Date.parse(entries[0].at) - firstFailure.sentAt;
    console.log(`byo drill 30%: rollback decided ${decidedMs} ms after the first failure; ${seen.total} requests, ${seen.failovers} served by failover, ${seen.non200} errors`);
    expect(await admin(r, "GET", "/admin/status")).toMatchObject({ active: "blue", epoch: 3, phase: "rolled_back" });
  }, 90_000);

  it("`status` names a pool whose /health route is missing, with the contract's section", async () => {
    const broken: BrokenOrigin = await startBrokenOrigin();
    try {
      const r = await newRouter(FAST_POLICY, [`${broken.url}/nohealth`]);
      await probed(r);
      const res = await runCli(["status"], { env: cliEnv(r) });
      expect(res.code, show(res)).toBe(0);
      expect(res.stdout).toMatch(/^green health +unhealthy: HTTP 404: no GET \/health route \(required: docs\/architecture\.md#bring-your-own-model-server\)$/m);
      expect(res.stdout).toMatch(/^green +standby +unhealthy /m);
    } finally {
      await broken.stop();
    }
  }, 60_000);
});
