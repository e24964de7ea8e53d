// Covers the admin commands end to end: the CLI runs as a real process
// against the real router Worker in local workerd (test/helpers/router.ts)
// in front of real model servers — status (table and --json), validate
// --via-router with the preview header, flip, a stale --expected-epoch (409,
// exit 1) on flip and on rollback, history, rollback with --expected-epoch
// and --force, watch (lines and --json), a wrong admin token
// (exit 2, never printed) and an unreachable router (exit 3).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ModelServerHandle, startModelServer } from "../helpers/model-server.js";
import { type RouterHandle, startRouter } from "../helpers/router.js";
import { closedPortUrl, jsonOf, runCli, show } from "./run-cli.js";

const ORIGIN_TOKEN = "test-origin-token-b41e7d";

let blue: ModelServerHandle;
let green: ModelServerHandle;
let router: RouterHandle;

const env = (extra: Record<string, string> = {}) => ({
  ROUTER_URL: router.url,
  ADMIN_TOKEN: router.adminToken,
  BLUE_URL: blue.url,
  GREEN_URL: green.url,
  ORIGIN_TOKEN,
  ...extra,
});

beforeAll(async () => {
  [blue, green] = await Promise.all([
    startModelServer({ version: "v1", env: { MODEL_NAME: "sentiment", ORIGIN_TOKEN } }),
    startModelServer({ version: "v2", env: { MODEL_NAME: "sentiment", ORIGIN_TOKEN } }),
  ]);
  router = await startRouter({ blueOrigins: [blue.url], greenOrigins: [green.url], originToken: ORIGIN_TOKEN });
}, 60_000);

afterAll(async () => {
  await Promise.all([router?.stop(), blue?.stop(), green?.stop()]);
});

describe("admin commands against the router in workerd", () => {
  it("status shows the deployment and a row per colour", async () => {
    const r = await runCli(["status"], { env: env() });
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/^deployment +blue active · phase stable · epoch 1/m);
    expect(r.stdout).toMatch(/^blue +active .* http:\/\/127\.0\.0\.1:\d+/m);
    expect(r.stdout).toMatch(/^green +standby /m);
    expect(r.stdout + r.stderr).not.toContain(router.adminToken);
  });

  it("status --json is the router's status document", async () => {
    const s = jsonOf<any>(await runCli(["status", "--json"], { env: env() }));
    expect(s).toMatchObject({ active: "blue", standby: "green", epoch: 1, phase: "stable" });
  });

  it("validate --via-router sends the traffic through the router's preview of green", async () => {
    const r = await runCli(["--json", "validate", "--via-router", "--color", "green", "--requests", "60", "--concurrency", "6", "--max-p99-ratio", "20", "--max-p99-ms", "5000"], { env: env() });
    expect(r.code, show(r)).toBe(0);
    const report = jsonOf<any>(r);
    expect(report.target).toMatchObject({ name: "green", via: "router" });
    expect(report.target.where).toContain(router.url);
    expect(report.baseline).toMatchObject({ name: "blue", note: "serving, per the router" });
    expect(report.health.servedBy).toBe("green");
    expect(report.health.health.model_version).toBe("v2");
    expect(r.stdout + r.stderr).not.toContain(router.adminToken);
  });

  it("flip green moves traffic and starts the bake", async () => {
    const r = await runCli(["flip", "green", "--reason", "cli test"], { env: env() });
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/✓ flipped to green: epoch 2, phase baking/);
    const s = jsonOf<any>(await runCli(["status", "--json"], { env: env() }));
    expect(s).toMatchObject({ active: "green", epoch: 2 });
  });

  it("a stale --expected-epoch is refused (409 → exit 1) and changes nothing", async () => {
    const r = await runCli(["flip", "blue", "--expected-epoch", "1"], { env: env() });
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toMatch(/The router refused: .*epoch/);
    expect(r.stderr).toMatch(/fix: run `bluegreen status`/);
    const s = jsonOf<any>(await runCli(["status", "--json"], { env: env() }));
    expect(s).toMatchObject({ active: "green", epoch: 2 });
  });

  it("history lists the flip, newest first", async () => {
    const r = await runCli(["history"], { env: env() });
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/flip +manual +blue → green +2 +.*bluegreen-cli +cli test/);
    const entries = jsonOf<any[]>(await runCli(["history", "--json", "--limit", "5"], { env: env() }));
    expect(entries[0]).toMatchObject({ action: "flip", kind: "manual", from: "blue", to: "green", epoch: 2 });
  });

  it("rollback with a stale --expected-epoch is refused (409 → exit 1) and changes nothing", async () => {
    const r = await runCli(["rollback", "--expected-epoch", "1"], { env: env() });
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toMatch(/The router refused: .*epoch/);
    const s = jsonOf<any>(await runCli(["status", "--json"], { env: env() }));
    expect(s).toMatchObject({ active: "green", epoch: 2 });
  });

  it("rollback (at the current --expected-epoch, with --force) flips back to blue", async () => {
    const r = await runCli(["rollback", "--reason", "cli test rollback", "--expected-epoch", "2", "--force"], { env: env() });
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/✓ rolled back to blue: epoch 3, phase rolled_back/);
  });

  it("watch prints one line per interval when not on a terminal, JSON lines with --json", async () => {
    const r = await runCli(["watch", "--interval", "0.3", "--count", "2"], { env: env() });
    expect(r.code, show(r)).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d +blue active · phase rolled_back · epoch 3 +\| +blue\* .* req .* err p99 .* \| +green /);
    const j = await runCli(["watch", "--json", "--count", "1"], { env: env() });
    expect(j.code, show(j)).toBe(0);
    expect(JSON.parse(j.stdout.trim())).toMatchObject({ active: "blue", epoch: 3 });
  });

  it("a wrong admin token is a config error (exit 2) that does not print the token", async () => {
    const wrong = "wrong-token-5d2c81e0";
    const r = await runCli(["status"], { env: env({ ADMIN_TOKEN: wrong }) });
    expect(r.code, show(r)).toBe(2);
    expect(r.stderr).toMatch(/The router refused the admin token \(401\)/);
    expect(r.stdout + r.stderr).not.toContain(wrong);
  });

  it("an unreachable router is exit 3", async () => {
    const r = await runCli(["--json", "status"], { env: env({ ROUTER_URL: await closedPortUrl() }) });
    expect(r.code, show(r)).toBe(3);
    expect(jsonOf<any>(r).error).toMatchObject({ code: "unreachable" });
    expect(r.stderr).toMatch(/Cannot reach the router/);
  });
});
