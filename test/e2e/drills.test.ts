// End-to-end drills (a), (c) and (e) of docs/drills.md with real processes on
// loopback: blue = model server v1, green = model server v2 (FAULT_CONTROL=1
// on both), the real router Worker in local workerd (test/helpers/router.ts),
// predictions over real HTTP (test/helpers/drill.ts). Covers: (a) four flips
// under constant load (80 req/s, ~6 s): 0 failed requests,
//     every answer's model_version matches its x-bluegreen-color, and each
//     flip converges — no request sent after the flip answered is served by
//     the old colour later than FLAG_TTL_MS (one isolate here: at once);
// (c) the standby killed while idle: status shows it unhealthy within one
//     HEALTH_INTERVAL_SECONDS plus the probe timeout of the kill, and a flip
//     to it is refused (409 target_unhealthy) without `force`, accepted with;
// (e) both colours failing (80% 500s) during a bake: one automatic rollback
//     to blue (probed healthy), then no automatic flip for 10 s, clients get
//     the origin's 500, and no request reaches an origin more than twice;
//     and with blue known unhealthy, no automatic flip at all.
// (b) is in rollback-drills*.test.ts, (d) in drills-restart.test.ts. Every
// measured number is printed with the prefix `[drill]` (docs/drills.md).
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { defaultOf } from "../../contract/env.js";
import { ROUTER_VARS } from "../../contract/worker-env.js";
import { admin, adminAnswer, predictionCount, setFault, startLoad, summarize, waitUntil, type Sample } from "../helpers/drill.js";
import { type ModelServerHandle, parseJsonLine, startModelServer } from "../helpers/model-server.js";
import { type RouterHandle, startRouter } from "../helpers/router.js";

const ORIGIN_TOKEN = "drill-origin-token-3d9b";
/** The model version each colour serves here. */
const VERSION = { blue: "v1", green: "v2" } as const;
type Color = keyof typeof VERSION;
const other = (c: Color): Color => (c === "blue" ? "green" : "blue");
/** The router's default, set explicitly so the bound asserted is the one the router runs with. */
const FLAG_TTL_MS = defaultOf(ROUTER_VARS.FLAG_TTL_MS);
/** PROBE_TIMEOUT_MS of worker/src/controller/health-probe.ts (not imported: that module needs the Workers types). */
const PROBE_TIMEOUT_MS = 3_000;

let blue: ModelServerHandle;
let green: ModelServerHandle;
let router: RouterHandle | undefined;

beforeAll(async () => {
  [blue, green] = await Promise.all([
    startModelServer({ version: "v1", env: { ORIGIN_TOKEN, FAULT_CONTROL: "1" } }),
    startModelServer({ version: "v2", env: { ORIGIN_TOKEN, FAULT_CONTROL: "1" } }),
  ]);
}, 60_000);

afterEach(async () => {
  await router?.stop();
  router = undefined;
  await Promise.all([blue, green].map((s) => setFault(s.url, ORIGIN_TOKEN, { rate: 0, latencyMs: 0 })));
});

afterAll(async () => {
  await Promise.all([blue?.stop(), green?.stop()]);
});

async function newRouter(vars: Record<string, string>, pools: { blue?: string; green?: string } = {}): Promise<RouterHandle> {
  router = await startRouter({
    blueOrigins: [pools.blue ?? blue.url],
    greenOrigins: [pools.green ?? green.url],
    originToken: ORIGIN_TOKEN,
    vars: { FLAG_TTL_MS: String(FLAG_TTL_MS), ...vars },
  });
  return router;
}

/** Waits until status shows `color`'s health as `health`; answers the status and when it was seen. */
function healthIs(r: RouterHandle, color: Color, health: "healthy" | "unhealthy", timeoutMs: number) {
  return waitUntil(`${color} to be shown ${health}`, async () => {
    const status = await admin(r, "GET", "/admin/status");
    return status.colors[color].health.status === health ? { status, at: Date.now() } : undefined;
  }, timeoutMs, 50);
}

/** Origin attempts per x-request-id with `prefix`, from the model servers' request log lines (the last 500 each keeps). */
function attemptsById(servers: ModelServerHandle[], prefix: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const server of servers) {
    for (const line of server.lines()) {
      const event = parseJsonLine(line);
      const id = event?.request_id;
      if (event?.event !== "request" || event.path !== "/predict" || typeof id !== "string" || !id.startsWith(prefix)) continue;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

describe("drills: flips, a dead standby, both colours failing", () => {
  it("(a) four flips under 80 req/s: 0 failed requests, each flip converged within FLAG_TTL_MS, model_version matches the colour", async () => {
    const r = await newRouter({ BAKE_SECONDS: "600" });
    const load = startLoad(r.url, { perSecond: 80, maxDurationMs: 30_000 });
    const flips: Array<{ from: Color; to: Color; epoch: number; requestedAt: number; answeredAt: number }> = [];
    let samples: Sample[];
    try {
      await waitUntil("traffic on blue", async () => (load.samples.length >= 60 ? true : undefined), 10_000);
      for (const to of ["green", "blue", "green", "blue"] as const) {
        const requestedAt = Date.now();
        const { state } = await admin(r, "POST", "/admin/flip", { to, reason: `drill: flip to ${to} under load` });
        flips.push({ from: other(to), to, epoch: state.epoch, requestedAt, answeredAt: Date.now() });
        await sleep(1_250);
      }
    } finally {
      samples = await load.stop();
    }

    const seen = summarize(samples);
    expect(seen.non200 + seen.failovers, JSON.stringify(samples.filter((s) => s.status !== 200 || s.failover !== null).slice(0, 3))).toBe(0);
    const mismatched = samples.filter((s) => s.modelVersion !== VERSION[s.color as Color]);
    expect(mismatched.slice(0, 3)).toEqual([]);
    expect(flips.map((f) => f.epoch)).toEqual([2, 3, 4, 5]);

    const lines = flips.map((f, k) => {
      const until = flips[k + 1]?.requestedAt ?? Infinity;
      // Requests sent after the flip answered (and before the next flip was asked for): the new colour's, at once or within FLAG_TTL_MS.
      const after = samples.filter((s) => s.sentAt >= f.answeredAt && s.sentAt < until);
      const stale = after.filter((s) => s.color !== f.to || s.epoch !== f.epoch);
      const convergedMs = stale.length === 0 ? 0 : Math.max(...stale.map((s) => s.sentAt)) - f.answeredAt;
      // The old colour's last answer at all (requests in flight when the flip answered included).
      const oldAnswers = samples.filter((s) => s.color === f.from && s.epoch === f.epoch - 1).map((s) => s.doneAt);
      const lastOldMs = Math.max(...oldAnswers) - f.answeredAt;
      const lastOld = lastOldMs <= 0 ? `${-lastOldMs} ms before the flip answered` : `${lastOldMs} ms after the flip answered`;
      expect(after.length, `flip ${k + 1} saw traffic`).toBeGreaterThan(50);
      expect(convergedMs, `flip ${k + 1} to ${f.to}: ${stale.length} stale answers`).toBeLessThanOrEqual(FLAG_TTL_MS);
      const converged = after.filter((s) => s.sentAt > f.answeredAt + convergedMs);
      expect(converged.filter((s) => s.color !== f.to || s.epoch !== f.epoch || s.modelVersion !== VERSION[f.to])).toEqual([]);
      return (
        `flip ${k + 1} ${f.from}→${f.to} (epoch ${f.epoch}, answered in ${f.answeredAt - f.requestedAt} ms): convergence ${convergedMs} ms ` +
        `(${stale.length}/${after.length} requests sent after the answer served by ${f.from}); last ${f.from} answer ${lastOld}`
      );
    });
    const spanS = (samples.at(-1)!.sentAt - samples[0]!.sentAt) / 1000;
    console.log(`[drill] flip under load: ${seen.total} requests in ${spanS.toFixed(1)} s, ${seen.non200} failed, ${seen.failovers} failovers\n${lines.map((l) => `[drill]   ${l}`).join("\n")}`);

    const { entries } = await admin(r, "GET", "/admin/history");
    expect(entries.map((e: any) => `${e.kind} ${e.action} ${e.from}→${e.to}`)).toEqual([
      "manual flip green→blue",
      "manual flip blue→green",
      "manual flip green→blue",
      "manual flip blue→green",
    ]);
  }, 60_000);

  it("(c) a standby killed while idle is shown unhealthy within one probe interval; a flip to it is refused without force, accepted with", async () => {
    const intervalSeconds = 2;
    const doomed = await startModelServer({ version: "v2", env: { ORIGIN_TOKEN } });
    try {
      const r = await newRouter({ HEALTH_INTERVAL_SECONDS: String(intervalSeconds) }, { green: doomed.url });
      await healthIs(r, "green", "healthy", 10_000);

      const killedAt = Date.now();
      await doomed.stop("SIGKILL");
      const down = await healthIs(r, "green", "unhealthy", 15_000);
      const shownMs = down.at - killedAt;
      const boundMs = intervalSeconds * 1000 + PROBE_TIMEOUT_MS;
      console.log(`[drill] standby killed while idle: status showed green unhealthy ${shownMs} ms after SIGKILL (bound ${boundMs} ms = HEALTH_INTERVAL_SECONDS ${intervalSeconds} s + probe timeout ${PROBE_TIMEOUT_MS} ms); ${down.status.colors.green.health.error}`);
      expect(shownMs).toBeLessThanOrEqual(boundMs);
      expect(down.status).toMatchObject({ active: "blue", standby: "green", epoch: 1, phase: "stable" });
      expect(down.status.colors.green.health.error).toMatch(/^connect error/);

      const refused = await adminAnswer(r, "POST", "/admin/flip", { to: "green", reason: "drill: flip to a dead standby" });
      expect(refused.status).toBe(409);
      expect(refused.json).toMatchObject({ error: { code: "conflict", details: { reason: "target_unhealthy", color: "green" } } });
      expect(await admin(r, "GET", "/admin/status")).toMatchObject({ active: "blue", epoch: 1, phase: "stable" });
      expect((await admin(r, "GET", "/admin/history")).entries).toEqual([]);

      const forced = await admin(r, "POST", "/admin/flip", { to: "green", force: true, reason: "drill: forced flip to a dead standby" });
      expect(forced.state).toMatchObject({ active: "green", epoch: 2, phase: "baking" });
      expect(forced.entry).toMatchObject({ kind: "manual", action: "flip", from: "blue", to: "green", epoch: 2 });
    } finally {
      await doomed.stop();
    }
  }, 60_000);

  it("(e) both colours failing during a bake: one automatic rollback, then no flapping; clients get the origin's 500, at most 2 origin attempts each", async () => {
    const r = await newRouter({ BAKE_SECONDS: "600", HEALTH_INTERVAL_SECONDS: "2" });
    // Blue is known healthy (probed), so the rule lets the controller roll back to it once.
    await healthIs(r, "blue", "healthy", 10_000);
    const prefix = `drill-e-${Date.now()}-`;
    const countsBefore = await Promise.all([predictionCount(blue.url), predictionCount(green.url)]);
    const load = startLoad(r.url, { perSecond: 50, maxDurationMs: 60_000, requestIdPrefix: prefix });
    let samples: Sample[];
    let failingFrom = 0;
    let rolledBackSeenAt = 0;
    try {
      await admin(r, "POST", "/admin/flip", { to: "green", reason: "drill: both colours fail" });
      await sleep(1_000);
      failingFrom = Date.now();
      await Promise.all([blue, green].map((s) => setFault(s.url, ORIGIN_TOKEN, { rate: 0.8 })));
      await waitUntil("the automatic rollback", async () => ((await admin(r, "GET", "/admin/status")).phase === "rolled_back" ? true : undefined), 15_000);
      rolledBackSeenAt = Date.now();
      // Blue fails as badly as green did: the controller must not flip again.
      await sleep(10_000);
    } finally {
      samples = await load.stop();
    }
    const countsAfter = await Promise.all([predictionCount(blue.url), predictionCount(green.url)]);

    const { entries } = await admin(r, "GET", "/admin/history");
    expect(entries.map((e: any) => `${e.kind} ${e.action} ${e.from}→${e.to}`)).toEqual(["auto rollback green→blue", "manual flip blue→green"]);
    const status = await admin(r, "GET", "/admin/status");
    expect(status).toMatchObject({ active: "blue", epoch: 3, phase: "rolled_back", autoRollbackArmed: false });
    // Blue is measured bad too, and nothing is done about it.
    expect(status.verdict).toMatchObject({ color: "blue", verdict: "failed", action: "none" });
    expect(status.verdict.reason).toMatch(/already rolled back \(phase rolled_back\): no automatic action$/);
    expect(samples.filter((s) => s.epoch !== null && s.epoch > 3)).toEqual([]);

    // Clients get the origin's 500 (the active colour's, after the standby also failed), never a router error.
    const seen = summarize(samples);
    expect(seen.noAnswer).toBe(0);
    const errors = samples.filter((s) => s.status !== 200);
    expect(errors.filter((s) => s.status !== 500 || s.errorCode !== "internal" || s.failover !== null).slice(0, 3)).toEqual([]);
    const afterRollback = samples.filter((s) => s.sentAt > rolledBackSeenAt);
    expect(afterRollback.filter((s) => s.status === 500).length / afterRollback.length).toBeGreaterThan(0.4);

    // No failover loop: every client request reached the origins at most twice.
    const attempts = countsAfter[0]! - countsBefore[0]! + countsAfter[1]! - countsBefore[1]!;
    expect(attempts).toBeGreaterThanOrEqual(seen.total);
    expect(attempts).toBeLessThanOrEqual(2 * seen.total);
    const byId = attemptsById([blue, green], prefix);
    const perRequest = [...byId.values()];
    expect(byId.size).toBeGreaterThan(200);
    expect(Math.max(...perRequest)).toBeLessThanOrEqual(2);

    const rollbackMs = Date.parse(entries[0].at) - failingFrom;
    console.log(
      `[drill] both colours failing (80%): automatic rollback green→blue ${rollbackMs} ms after both began failing, then ` +
        `${((samples.at(-1)!.sentAt - rolledBackSeenAt) / 1000).toFixed(1)} s with no automatic flip (history: ${entries.length} entries, 1 auto); ` +
        `${seen.total} requests, ${errors.length} answered the origin's 500, ${seen.failovers} served by failover; ` +
        `${attempts} origin attempts (${(attempts / seen.total).toFixed(2)} per request; max ${Math.max(...perRequest)} for any of the last ${byId.size} logged)`,
    );
  }, 60_000);

  it("(e) both colours failing with blue known unhealthy: no automatic flip at all; clients get green's 500 without failover", async () => {
    const doomedBlue = await startModelServer({ version: "v1", env: { ORIGIN_TOKEN } });
    try {
      const r = await newRouter({ BAKE_SECONDS: "600", HEALTH_INTERVAL_SECONDS: "1" }, { blue: doomedBlue.url });
      await healthIs(r, "blue", "healthy", 10_000);
      await admin(r, "POST", "/admin/flip", { to: "green", reason: "drill: green fails, blue is down" });
      await doomedBlue.stop("SIGKILL");
      await healthIs(r, "blue", "unhealthy", 10_000);
      await setFault(green.url, ORIGIN_TOKEN, { rate: 0.8 });
      const countBefore = await predictionCount(green.url);
      const load = startLoad(r.url, { perSecond: 50, maxDurationMs: 60_000 });
      let samples: Sample[];
      let verdict: any;
      try {
        verdict = await waitUntil("green measured bad", async () => {
          const v = (await admin(r, "GET", "/admin/status")).verdict;
          return v?.verdict === "failed" ? v : undefined;
        }, 15_000);
        await sleep(3_000);
      } finally {
        samples = await load.stop();
      }
      const attempts = (await predictionCount(green.url)) - countBefore;

      expect(verdict).toMatchObject({ color: "green", action: "none" });
      expect(verdict.reason).toMatch(/not rolling back: blue is unhealthy$/);
      expect(await admin(r, "GET", "/admin/status")).toMatchObject({ active: "green", epoch: 2, phase: "baking", autoRollbackArmed: true });
      expect((await admin(r, "GET", "/admin/history")).entries.map((e: any) => `${e.kind} ${e.action}`)).toEqual(["manual flip"]);
      const seen = summarize(samples);
      expect(seen.failovers).toBe(0);
      expect(samples.filter((s) => s.epoch !== 2 || s.color !== "green" || (s.status !== 200 && (s.status !== 500 || s.errorCode !== "internal"))).slice(0, 3)).toEqual([]);
      expect(seen.non200).toBeGreaterThan(0);
      // Blue is known down: no request is sent to it, each one reaches green once.
      expect(attempts).toBe(seen.total);
      console.log(
        `[drill] both colours failing, blue known unhealthy: no automatic flip in ${((samples.at(-1)!.sentAt - samples[0]!.sentAt) / 1000).toFixed(1)} s ` +
          `(verdict: ${verdict.reason}); ${seen.total} requests, ${seen.non200} answered green's 500, ${attempts} origin attempts`,
      );
    } finally {
      await doomedBlue.stop();
    }
  }, 60_000);
});
