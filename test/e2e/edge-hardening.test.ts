// What an anonymous client can no longer do to a deployment, with the real
// router Worker in local workerd (test/helpers/router.ts), real model servers
// on loopback (blue v1; green v2 with FAULT_CONTROL=1) and the default
// telemetry timing: 100 GET/HEAD requests with a body are 400 at
// the edge and leave a freshly flipped, healthy green alone (no rollback, no
// telemetry); junk requests (30 per prediction, even on an allowed path) do
// not hide a green failing every prediction, which is rolled back within
// 3 s at 10 predictions/s; PUT /fault through the router is 404 in every
// spelling, even with PROXY_PATHS=/* and fault control on, and the origin's
// fault rate stays as it was; and a burst that stops completely shows in
// the controller's status within REPORT_INTERVAL_MS + 1 s (trailing flush).
import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { defaultOf } from "../../contract/env.js";
import { ROUTER_VARS } from "../../contract/worker-env.js";
import { admin, setFault, startLoad, summarize, waitUntil, type Sample } from "../helpers/drill.js";
import { drillStack } from "../helpers/drill-stack.js";
import type { RouterHandle } from "../helpers/router.js";

const ORIGIN_TOKEN = "hardening-origin-token-4d7a";
/** The default REPORT_INTERVAL_MS, which these routers keep. */
const REPORT_INTERVAL_MS = defaultOf(ROUTER_VARS.REPORT_INTERVAL_MS);

const stack = drillStack(ORIGIN_TOKEN);

function newRouter(vars: Record<string, string> = {}, pools?: { blueUrl: string; greenUrl: string }): Promise<RouterHandle> {
  return stack.newRouter({ vars, ...pools });
}

/** Sends one request with a body through node:http (fetch refuses a GET with a body); answers the status. */
function sendWithBody(url: string, method: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), ...headers } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} timed out`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** Sends GET `path` to `url` at `perSecond`, open loop, at most `maxInFlight` at once; `stop()` answers the statuses seen. */
function startJunk(url: string, path: string, perSecond: number, maxInFlight = 200) {
  const statuses: Record<string, number> = {};
  const inFlight = new Set<Promise<void>>();
  const startedAt = Date.now();
  let running = true;
  let sent = 0;
  const one = async () => {
    const key = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(10_000) }).then(
      async (res) => {
        await res.arrayBuffer();
        return String(res.status);
      },
      () => "error",
    );
    statuses[key] = (statuses[key] ?? 0) + 1;
  };
  const loop = (async () => {
    while (running && Date.now() - startedAt < 60_000) {
      const wait = startedAt + (sent * 1000) / perSecond - Date.now();
      if (wait > 0) await sleep(wait);
      if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      const p: Promise<void> = one().finally(() => inFlight.delete(p));
      inFlight.add(p);
      sent++;
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await Promise.all(inFlight);
      return { sent, statuses };
    },
  };
}

describe("anonymous traffic cannot steer the controller", () => {
  it("100 GET/HEAD requests with a body are 400 at the edge and change nothing: no rollback of a healthy green, no telemetry", async () => {
    const r = await newRouter({ BAKE_SECONDS: "600", PROXY_PATHS: "/*" });
    await admin(r, "POST", "/admin/flip", { to: "green", reason: "a healthy green" });
    const before = await admin(r, "GET", "/admin/status");

    const paths = ["/x", "/robots.txt", "/predict", "/health", "/anything/else"];
    const statuses: Record<string, number> = {};
    for (let i = 0; i < 100; i++) {
      const method = i % 2 === 0 ? "GET" : "HEAD";
      const status = await sendWithBody(`${r.url}${paths[i % paths.length]}`, method, '{"text":"x"}');
      statuses[`${method} ${status}`] = (statuses[`${method} ${status}`] ?? 0) + 1;
    }
    expect(statuses).toEqual({ "GET 400": 50, "HEAD 400": 50 });

    // Any report the requests caused would have reached the controller by now.
    await sleep(REPORT_INTERVAL_MS + 1_000);
    const after = await admin(r, "GET", "/admin/status");
    expect(after).toMatchObject({ active: "green", epoch: before.epoch, phase: "baking", autoRollbackArmed: true });
    for (const color of ["blue", "green"] as const) {
      const { requests, errors } = after.colors[color].metrics.slow;
      expect({ requests, errors }, color).toEqual({ requests: before.colors[color].metrics.slow.requests, errors: before.colors[color].metrics.slow.errors });
    }
    expect((await admin(r, "GET", "/admin/history")).entries).toHaveLength(1);
    expect(r.logs().filter((l) => /origin .* failed/.test(l))).toEqual([]);
  }, 60_000);

  it("a green failing every prediction, behind 30 junk requests per prediction, is rolled back within 3 s at 10 predictions/s", async () => {
    // The junk path is even on the allow-list: it reaches the origin (a 404 there), and still counts nowhere.
    // The default policy: 10 predictions/s take 1.9 s to reach MIN_REQUESTS (20); failures pending
    // in the isolate are reported early (EARLY_FLUSH_ERRORS), not a REPORT_INTERVAL_MS later.
    const r = await newRouter({ BAKE_SECONDS: "600", PROXY_PATHS: "/robots.txt" });
    await admin(r, "POST", "/admin/flip", { to: "green", reason: "drill: failing green behind junk" });
    // The controller judges green from the first whole second after its flip; the traffic starts there.
    await sleep(1_000 - (Date.now() % 1_000) + 20);
    await setFault(stack.green.url, ORIGIN_TOKEN, { rate: 1 });
    const junk = startJunk(r.url, "/robots.txt", 300);
    const load = startLoad(r.url, { perSecond: 10, maxDurationMs: 30_000 });
    let samples: Sample[] = [];
    let junkSeen: { sent: number; statuses: Record<string, number> };
    try {
      await waitUntil("the automatic rollback", async () => ((await admin(r, "GET", "/admin/status")).phase === "rolled_back" ? true : undefined), 15_000);
    } finally {
      [samples, junkSeen] = await Promise.all([load.stop(), junk.stop()]);
    }
    const firstFailure = samples.find((s) => s.failover === "blue");
    expect(firstFailure).toBeDefined();
    const [rollback] = (await admin(r, "GET", "/admin/history")).entries;
    expect(rollback).toMatchObject({ kind: "auto", action: "rollback", from: "green", to: "blue" });
    const decidedMs = Date.parse(rollback.at) - firstFailure!.sentAt;
    const predictionsBefore = samples.filter((s) => s.sentAt <= Date.parse(rollback.at)).length;
    console.log(
      `junk drill: rollback decided ${decidedMs} ms after the first failure (${rollback.reason}); ` +
        `${samples.length} predictions (${summarize(samples).non200} non-200), junk ${JSON.stringify(junkSeen)}`,
    );
    expect(junkSeen.statuses["404"] ?? 0).toBeGreaterThanOrEqual(25 * predictionsBefore);
    expect(summarize(samples).non200).toBe(0);
    expect(decidedMs).toBeLessThanOrEqual(3_000);
  }, 60_000);
});

describe("origin-only routes stay closed", () => {
  it("PUT /fault through the router is 404 in every spelling, with fault control on and PROXY_PATHS=/*; the origin's fault rate stays as it was", async () => {
    // The fault-controllable server is the active colour here.
    const r = await newRouter({ PROXY_PATHS: "/*,/fault" }, { blueUrl: stack.green.url, greenUrl: stack.blue.url });
    const variants: Array<[string, Record<string, string>]> = [
      ["/fault", {}],
      ["/fault", { "x-origin-token": ORIGIN_TOKEN }],
      ["/fault", { authorization: `Bearer ${r.adminToken}`, "x-bluegreen-preview": "blue" }],
      ["/FAULT", {}],
      ["/%66ault", {}],
      ["/fault/", {}],
      ["/x/%2e%2e/fault", {}],
    ];
    for (const [path, headers] of variants) {
      const status = await sendWithBody(`${r.url}${path}`, "PUT", '{"rate":1,"latencyMs":500}', headers);
      expect(status, `PUT ${path} ${JSON.stringify(headers)}`).toBe(404);
    }
    const direct = await fetch(`${stack.green.url}/fault`, { headers: { "x-origin-token": ORIGIN_TOKEN } });
    expect(await direct.json()).toEqual({ rate: 0, latencyMs: 0, silentRate: 0, silentMode: "random", silentConfidence: null });
  }, 30_000);
});

describe("telemetry after a burst", () => {
  it("a burst that stops completely shows in the controller's status within REPORT_INTERVAL_MS + 1 s", async () => {
    const r = await newRouter();
    const burst = 50;
    let lastAnswerAt = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        while (next < burst) {
          next += 1;
          const res = await fetch(`${r.url}/predict`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ text: `burst request ${next} went well` }),
          });
          expect(res.status).toBe(200);
          await res.arrayBuffer();
          lastAnswerAt = Math.max(lastAnswerAt, Date.now());
        }
      }),
    );
    const shownAt = await waitUntil(
      "the whole burst in the controller's windows",
      async () => ((await admin(r, "GET", "/admin/status")).colors.blue.metrics.slow.requests === burst ? Date.now() : undefined),
      REPORT_INTERVAL_MS + 3_000,
      50,
    );
    console.log(`trailing flush: the burst of ${burst} showed ${shownAt - lastAnswerAt} ms after its last answer`);
    expect(shownAt - lastAnswerAt).toBeLessThanOrEqual(REPORT_INTERVAL_MS + 1_000);
    await sleep(REPORT_INTERVAL_MS + 500);
    expect((await admin(r, "GET", "/admin/status")).colors.blue.metrics.slow.requests).toBe(burst);
  }, 30_000);
});
