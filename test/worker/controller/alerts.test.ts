// Covers the controller's alerts (worker/src/controller/alerts.ts and their
// sending in deployment-controller.ts) against a local HTTP receiver (the
// alert-receiver recorder origin of global-setup.ts, ALERT_WEBHOOK_URL): a
// Slack-compatible {"text"} on an automatic rollback, on the standby turning
// unhealthy (once per transition, not per probe; never for the active
// colour) and on a bake that passed; no secrets in any of them; a webhook
// that fails never blocks the rollback, the alert waits in the outbox and
// the next alarm delivers it; and the pure outbox pruning and redaction.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ALERT_MAX_AGE_MS, MAX_OUTBOX_ALERTS, newAlert, postAlert, pruneOutbox, redact } from "../../../worker/src/controller/alerts.js";
import { STORAGE_KEYS } from "../../../worker/src/controller/state-store.js";
import type { Bake } from "../../../worker/src/controller/transitions.js";
import { ADMIN_TOKEN, alertsFor, controller, failAlerts, flipDirect, ORIGIN_TOKEN, origins, testEnv, waitFor } from "../helpers.js";
import { bucket } from "./builders.js";

function failGreen(e: Env) {
  return controller(e).report({ isolateId: "t", buckets: [bucket(Math.floor(Date.now() / 1000), "green", { requests: 40, errors: 20 })] });
}

/** Waits until `n` alerts of the deployment reached the receiver. */
function alertCount(e: Env, n: number) {
  return waitFor(`${n} alert(s) for ${e.DEPLOYMENT_NAME}`, async () => {
    const alerts = await alertsFor(e.DEPLOYMENT_NAME);
    return alerts.length >= n ? alerts : undefined;
  });
}

function expectNoSecrets(text: string): void {
  for (const secret of [ADMIN_TOKEN, ORIGIN_TOKEN, "/hooks/alerts", origins.TEST_ALERT_RECEIVER]) expect(text).not.toContain(secret);
}

describe("alerts reach the webhook", () => {
  it("on an automatic rollback, as Slack-compatible JSON with the reason", async () => {
    const e = testEnv();
    await flipDirect(e, "green");
    await failGreen(e);
    const [alert] = await alertCount(e, 1);
    expect(alert!.path).toBe("/hooks/alerts");
    expect(alert!.text).toMatch(
      new RegExp(`^\\[bluegreen ${e.DEPLOYMENT_NAME}\\] automatic rollback green → blue \\(epoch 3\\): fast window \\(10s\\): 20/40 errors, error-rate lower bound`),
    );
    expectNoSecrets(alert!.text);
    expect((await controller(e).status()).alerts).toEqual({ pending: 0, oldestAt: null, lastError: null });
  });

  it("when the standby turns unhealthy: once per transition, not on every probe, never for the active colour", async () => {
    const e = testEnv();
    const probe = (color: "blue" | "green", ok: boolean) =>
      controller(e).recordProbe(color, ok ? { ok, at: Date.now(), version: "v2" } : { ok, at: Date.now(), error: "HTTP 503: draining" });
    await probe("green", true);
    await probe("green", false);
    await probe("green", false);
    await probe("blue", false); // blue is active: the rule and failover cover it, not this alert
    const [alert] = await alertCount(e, 1);
    expect(alert!.text).toBe(
      `[bluegreen ${e.DEPLOYMENT_NAME}] standby green is unhealthy: HTTP 503: draining. Failover to green is off and flips to it are refused until a probe passes.`,
    );
    await probe("green", true);
    await probe("green", false);
    expect(await alertCount(e, 2)).toHaveLength(2);
    // An alert is queued in its probe's own transaction: once the outbox is empty, every alert there is was delivered.
    await waitFor("the outbox to empty", async () => ((await controller(e).status()).alerts.pending === 0 ? true : undefined));
    expect(await alertsFor(e.DEPLOYMENT_NAME)).toHaveLength(2);
  });

  it("when the bake passes", async () => {
    const e = testEnv();
    await flipDirect(e, "green");
    await controller(e).report({ isolateId: "t", buckets: [bucket(Math.floor(Date.now() / 1000), "green", { requests: 40, latencyMs: 30 })] });
    await runInDurableObject(controller(e), (_i, state) => {
      state.storage.kv.put(STORAGE_KEYS.bake, { ...state.storage.kv.get<Bake>(STORAGE_KEYS.bake)!, endsAt: Date.now() - 1 });
    });
    await runDurableObjectAlarm(controller(e));
    const [alert] = await alertCount(e, 1);
    expect(alert!.text).toMatch(
      new RegExp(`^\\[bluegreen ${e.DEPLOYMENT_NAME}\\] green passed the bake and is stable \\(epoch 2, v2\\); fast window: 40 requests, 0\\.0% errors, p99 \\d+ ms\\.$`),
    );
  });
});

describe("a failing webhook", () => {
  it("never blocks the rollback: the alert waits in the outbox and the next alarm delivers it", async () => {
    const e = testEnv();
    await failAlerts(e.DEPLOYMENT_NAME, 1, 503);
    await flipDirect(e, "green");
    expect(await failGreen(e)).toMatchObject({ active: "blue", phase: "rolled_back" });
    const [failed] = await alertCount(e, 1);
    expect(failed!.status).toBe(503);
    const pending = await waitFor("the failed attempt to be recorded", async () => {
      const { alerts } = await controller(e).status();
      return alerts.lastError !== null ? alerts : undefined;
    });
    expect(pending).toMatchObject({ pending: 1, lastError: "HTTP 503" });

    await runDurableObjectAlarm(controller(e));
    const [, delivered] = await alertCount(e, 2);
    expect(delivered).toMatchObject({ status: 200, text: failed!.text });
    expect((await controller(e).status()).alerts.pending).toBe(0);
  });
});

describe("outbox and redaction (pure)", () => {
  it("drops alerts older than ALERT_MAX_AGE_MS and keeps at most MAX_OUTBOX_ALERTS, newest", () => {
    const now = 10 * ALERT_MAX_AGE_MS;
    const old = newAlert("bake_passed", "old", now - ALERT_MAX_AGE_MS - 1);
    const many = Array.from({ length: MAX_OUTBOX_ALERTS + 2 }, (_, i) => newAlert("standby_unhealthy", `n${i}`, now - 1000 + i));
    const { kept, dropped } = pruneOutbox([old, ...many], now);
    expect(kept.map((a) => a.text)).toEqual(many.slice(2).map((a) => a.text));
    expect(dropped.map((a) => a.text)).toEqual(["old", "n0", "n1"]);
  });

  it("redacts the webhook URL, its path and its host from messages", () => {
    const url = "https://hooks.slack.example/services/T000/B000/XXXXSECRET";
    expect(redact(`POST ${url} failed; host hooks.slack.example; path /services/T000/B000/XXXXSECRET`, url)).toBe(
      "POST <webhook> failed; host <webhook>; path <webhook>",
    );
  });

  it("reports a webhook nobody listens on as a network error that names no part of the URL", async () => {
    const url = `${origins.TEST_DEAD_ORIGIN}/services/T000/XXXXSECRET`;
    const result = await postAlert(url, "test");
    expect(result.ok).toBe(false);
    const error = result.ok ? "" : result.error;
    expect(error).toMatch(/^network error/);
    expect(error).not.toContain("XXXXSECRET");
    expect(error).not.toContain(new URL(url).host);
  });
});
