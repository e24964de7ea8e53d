// Covers control/src/stack/local-router.ts: the router in local workerd with
// KV and the Durable Object persisted in a directory (a flip survives a new
// router on the same directory; another directory starts fresh), the cron
// run at start and on demand, exitOnSignal:false leaving the process's
// SIGINT/SIGTERM handling to the caller, and the minute-boundary schedule.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { msToNextMinute, startLocalRouter, type LocalRouter } from "../../../control/src/stack/local-router.js";
import { closedPortUrl } from "../run-cli.js";

const ADMIN = "local-router-test-admin";
let dir: string;
let origin: string;
const auth = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };

async function start(persistDir: string, extra: Partial<Parameters<typeof startLocalRouter>[0]> = {}): Promise<LocalRouter> {
  return startLocalRouter({ blueOrigins: [origin], greenOrigins: [origin], adminToken: ADMIN, persistDir, ...extra });
}
const status = async (r: LocalRouter) => (await (await fetch(`${r.url}/admin/status`, { headers: auth })).json()) as { active: string; epoch: number };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "bluegreen-local-router-"));
  origin = await closedPortUrl();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("startLocalRouter", () => {
  it("keeps the routing state in persistDir across routers", async () => {
    const first = await start(dir);
    try {
      expect(await status(first)).toMatchObject({ active: "blue", epoch: 1 });
      const flip = await fetch(`${first.url}/admin/flip`, { method: "POST", headers: auth, body: JSON.stringify({ to: "green", force: true }) });
      expect(flip.status).toBe(200);
    } finally {
      await first.stop();
    }
    const second = await start(dir);
    try {
      expect(await status(second)).toMatchObject({ active: "green", epoch: 2 });
    } finally {
      await second.stop();
    }
    const elsewhere = await start(path.join(dir, "other"));
    try {
      expect(await status(elsewhere)).toMatchObject({ active: "blue", epoch: 1 });
    } finally {
      await elsewhere.stop();
    }
  }, 60_000);

  it("runs the scheduled handler at start and on demand, and can leave signals to the caller", async () => {
    const before = { SIGINT: process.listenerCount("SIGINT"), SIGTERM: process.listenerCount("SIGTERM") };
    const router = await startLocalRouter({ blueOrigins: [origin], greenOrigins: [origin], adminToken: ADMIN, cron: true, exitOnSignal: false });
    try {
      expect(router.cronError()).toBeNull();
      await expect(router.triggerCron()).resolves.toBeUndefined();
      expect({ SIGINT: process.listenerCount("SIGINT"), SIGTERM: process.listenerCount("SIGTERM") }).toEqual(before);
    } finally {
      await router.stop();
    }
  }, 60_000);

  it("gives the Worker ALERT_WEBHOOK_URL as a secret when asked (the launcher takes it from its environment)", async () => {
    const router = await startLocalRouter({ blueOrigins: [origin], greenOrigins: [origin], adminToken: ADMIN, alertWebhookUrl: "http://127.0.0.1:9/hooks/test" });
    try {
      const status = (await (await fetch(`${router.url}/admin/status`, { headers: auth })).json()) as { policy: { alertsConfigured: boolean } };
      expect(status.policy.alertsConfigured).toBe(true);
      expect(JSON.stringify(status)).not.toContain("/hooks/test");
    } finally {
      await router.stop();
    }
  }, 60_000);

  it("schedules the next run at the next whole minute", () => {
    expect(msToNextMinute(Date.UTC(2026, 0, 1, 10, 0, 0))).toBe(60_000);
    expect(msToNextMinute(Date.UTC(2026, 0, 1, 10, 0, 59, 500))).toBe(500);
  });
});
