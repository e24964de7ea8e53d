// Covers `bluegreen rollout` end to end, as a CLI process against real model
// servers and the real router Worker in workerd (one fresh router per test):
// a rollout that validates, flips and passes the bake (exit 0); one whose
// green starts failing after the flip, which the controller rolls back (exit
// 1 with the reason); Ctrl-C while watching the bake (exit 130, asks
// nothing, changes nothing); Ctrl-C while validating (exit 130 through the
// CLI's one exit path, no flip); and a failed validation that never flips.
// Each test has a router of its own and the one that makes green fail a
// green of its own, so the tests run at once (most of their time is bakes).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ModelServerHandle, startModelServer } from "../helpers/model-server.js";
import { type RouterHandle, startRouter } from "../helpers/router.js";
import { jsonOf, runCli, show, spawnCli } from "./run-cli.js";

const ORIGIN_TOKEN = "test-origin-token-c90d12";
/** Small validation so the rollout gets to the flip quickly; p99 is not what these tests are about. */
const QUICK_VALIDATE = ["--requests", "60", "--concurrency", "6", "--max-p99-ratio", "20", "--max-p99-ms", "5000", "--interval", "0.5"];
/** A quick controller: short bake and windows, frequent probes and reports. */
const FAST_POLICY = { BAKE_SECONDS: "8", HEALTH_INTERVAL_SECONDS: "1", FAST_WINDOW_SECONDS: "5", MIN_REQUESTS: "20", REPORT_INTERVAL_MS: "250", FLAG_TTL_MS: "250" };

let blue: ModelServerHandle;
let green: ModelServerHandle;
/** A green of its own for the test that makes it fail, so the tests can run at once. */
let faultyGreen: ModelServerHandle;
const routers: RouterHandle[] = [];

beforeAll(async () => {
  [blue, green, faultyGreen] = await Promise.all([
    startModelServer({ version: "v1", env: { MODEL_NAME: "sentiment", ORIGIN_TOKEN } }),
    startModelServer({ version: "v2", env: { MODEL_NAME: "sentiment", ORIGIN_TOKEN } }),
    startModelServer({ version: "v2", env: { MODEL_NAME: "sentiment", ORIGIN_TOKEN, FAULT_CONTROL: "1" } }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([...routers.map((r) => r.stop()), blue?.stop(), green?.stop(), faultyGreen?.stop()]);
});

/** A router of the test's own (each test runs beside the others) in front of blue and `greenServer`. */
async function newRouter(vars: Record<string, string>, greenServer: ModelServerHandle = green): Promise<RouterHandle> {
  const router = await startRouter({ blueOrigins: [blue.url], greenOrigins: [greenServer.url], originToken: ORIGIN_TOKEN, vars });
  routers.push(router);
  return router;
}

const env = (r: RouterHandle, greenServer: ModelServerHandle = green) => ({
  ROUTER_URL: r.url,
  ADMIN_TOKEN: r.adminToken,
  BLUE_URL: blue.url,
  GREEN_URL: greenServer.url,
  ORIGIN_TOKEN,
});

async function setFaultRate(server: ModelServerHandle, rate: number): Promise<void> {
  const res = await fetch(`${server.url}/fault`, { method: "PUT", headers: { "content-type": "application/json", "x-origin-token": ORIGIN_TOKEN }, body: JSON.stringify({ rate }) });
  expect(res.status).toBe(200);
}

/** Production-like traffic through the router (no preview header): a few requests per second until stopped. */
function startTraffic(r: RouterHandle, perSecond = 25): { stop(): Promise<number> } {
  let running = true;
  let sent = 0;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      try {
        const res = await fetch(`${r.url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: `order ${sent} arrived, works fine` }), signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
      } catch {
        // counted by the router, not here
      }
      sent++;
      await new Promise((res) => setTimeout(res, Math.max(0, 1000 / perSecond - (Date.now() - started))));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return sent;
    },
  };
}

async function status(r: RouterHandle): Promise<any> {
  return jsonOf(await runCli(["status", "--json"], { env: env(r) }));
}

describe.concurrent("rollout against the router in workerd", () => {
  it("validates, flips and passes the bake (exit 0)", async () => {
    const r = await newRouter(FAST_POLICY);
    const traffic = startTraffic(r);
    try {
      const res = await runCli(["rollout", "green", ...QUICK_VALIDATE, "--bake-timeout", "40"], { env: env(r), timeoutMs: 60_000 });
      expect(res.code, show(res)).toBe(0);
      expect(res.stdout).toMatch(/✓ quality/);
      expect(res.stdout).toMatch(/✓ flip +blue → green at epoch 2; baking for \d+s/);
      expect(res.stdout).toMatch(/· bake +green\* [\d,]+ req .* err p99 .* \| +blue .* \| +\d+s left/);
      expect(res.stdout).toMatch(/✓ bake +green passed the bake and is stable/);
      expect(res.stdout).toMatch(/rollout passed: green serves all traffic/);
    } finally {
      await traffic.stop();
    }
    expect(await status(r)).toMatchObject({ active: "green", phase: "stable", epoch: 2 });
  }, 90_000);

  it("exits 1 with the reason when green starts failing after the flip and the controller rolls back", async () => {
    const r = await newRouter({ ...FAST_POLICY, BAKE_SECONDS: "60" }, faultyGreen);
    const traffic = startTraffic(r);
    try {
      const cli = await spawnCli(["rollout", "green", ...QUICK_VALIDATE, "--bake-timeout", "50"], { env: env(r, faultyGreen), timeoutMs: 70_000 });
      await cli.waitFor(/✓ flip/, 40_000);
      await setFaultRate(faultyGreen, 1);
      const res = await cli.done;
      expect(res.code, show(res)).toBe(1);
      expect(res.stdout).toMatch(/✗ bake +the controller rolled back to blue: /);
      expect(res.stderr).toMatch(/rollout failed: green was rolled back to blue/);
      expect(res.stderr).toMatch(/fix: `bluegreen history`/);
    } finally {
      await traffic.stop();
    }
    expect(await status(r)).toMatchObject({ active: "blue", phase: "rolled_back" });
    const history = jsonOf<any[]>(await runCli(["history", "--json"], { env: env(r) }));
    expect(history[0]).toMatchObject({ kind: "auto", action: "rollback", from: "green", to: "blue" });
  }, 90_000);

  it("Ctrl-C while watching the bake asks nothing, changes nothing and exits 130", async () => {
    const r = await newRouter({ ...FAST_POLICY, BAKE_SECONDS: "600" });
    const cli = await spawnCli(["rollout", "green", ...QUICK_VALIDATE], { env: env(r), timeoutMs: 60_000 });
    await cli.waitFor(/· bake /, 40_000);
    cli.proc.kill("SIGINT");
    const res = await cli.done;
    expect(res.code, show(res)).toBe(130);
    expect(res.stdout).toMatch(/stopped watching after .*nothing was changed: green stays active, phase baking/);
    expect(res.stderr).toMatch(/Stopped watching the bake \(Ctrl-C\); the rollout itself goes on/);
    expect(await status(r)).toMatchObject({ active: "green", phase: "baking", epoch: 2 });
  }, 90_000);

  it("Ctrl-C while validating ends the rollout before the flip (exit 130) and changes nothing", async () => {
    const r = await newRouter(FAST_POLICY);
    // A load step long enough to be interrupted in (the interrupt ends it: the process exits).
    const cli = await spawnCli(["rollout", "green", ...QUICK_VALIDATE, "--requests", "100000", "--concurrency", "2"], { env: env(r), timeoutMs: 60_000 });
    await cli.waitFor(/✓ smoke/, 40_000);
    cli.proc.kill("SIGINT");
    const res = await cli.done;
    expect(res.code, show(res)).toBe(130);
    expect(res.stderr).toMatch(/error: Interrupted before the flip: nothing was changed\./);
    expect(res.stderr).toMatch(/why: Ctrl-C while validating green; no flip was sent, blue stays active/);
    expect(res.stdout).not.toMatch(/✓ flip/);
    expect(await status(r)).toMatchObject({ active: "blue", phase: "stable", epoch: 1 });
  }, 90_000);

  it("does not flip when validation fails (exit 1)", async () => {
    const r = await newRouter(FAST_POLICY);
    const res = await runCli(["rollout", "green", "--expect-version", "v9", ...QUICK_VALIDATE], { env: env(r) });
    expect(res.code, show(res)).toBe(1);
    expect(res.stderr).toMatch(/validate failed: gate health/);
    expect(res.stdout).not.toMatch(/✓ flip/);
    expect(await status(r)).toMatchObject({ active: "blue", phase: "stable", epoch: 1 });
  }, 60_000);

  it("refuses to roll out the colour that is already active (exit 2)", async () => {
    const r = await newRouter(FAST_POLICY);
    const res = await runCli(["rollout", "blue"], { env: env(r) });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toMatch(/blue is already active/);
  }, 30_000);
});
