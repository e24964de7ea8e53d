// Covers the relayed routing path in the Worker (docs/scale.md "The Worker
// side"): router isolates in 3 locations (their requests' `cf.colo`), each
// location with its TelemetryRelay, in front of real model servers.
// - A flip reaches every isolate within FLAG_TTL_MS plus a round trip: the
//   controller pushes it to the relays (which forward nothing meanwhile),
//   and each isolate's next sync takes it.
// - An automatic rollback is decided within 3 s of the first failure at
//   50 predictions/s, the production report timing (REPORT_INTERVAL_MS
//   1000), with a green failing 30% of its predictions; users see no error.
// - A relay that fails every call, or a controller that refuses every
//   forward (overloaded), fails no user request: isolates keep serving their
//   last state and never turn to the controller; once it answers again,
//   every outcome kept meanwhile is counted once.
import { describe, expect, it } from "vitest";
import {
  controller,
  countingEnv,
  flipDirect,
  isolatesIn,
  origins,
  predictFrom,
  predictionRound,
  relay,
  relayUpstream,
  send,
  setControllerVars,
  slowWindowOnce,
  testEnv,
  totalCalls,
  type LocatedIsolate,
  type UpstreamCounts,
} from "../helpers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LOCATIONS = ["LHR", "CDG", "SIN"] as const;
const POLL_MS = 20;

interface Sample {
  sentAt: number;
  status: number;
  color: string | null;
  failover: string | null;
}

/** One prediction through an isolate, answered without waiting for its background work (collected in `background`). */
async function sample(isolate: LocatedIsolate, e: Env, background: Promise<void>[]): Promise<Sample> {
  const sentAt = Date.now();
  const sent = await send(isolate.router, e, predictFrom(isolate.colo));
  background.push(sent.settle());
  await sent.res.body?.cancel();
  return { sentAt, status: sent.res.status, color: sent.res.headers.get("x-bluegreen-color"), failover: sent.res.headers.get("x-bluegreen-failover") };
}

describe("a flip through the relays", () => {
  it("reaches every isolate in every location within FLAG_TTL_MS plus a round trip, by the push", async () => {
    const flagTtlMs = 500;
    // Reports never fall due (isolates and relays), so relays forward only when they start: the push alone
    // can bring the flip to them.
    const base = testEnv({ FLAG_TTL_MS: String(flagTtlMs), REPORT_INTERVAL_MS: "600000" });
    await setControllerVars(base, { REPORT_INTERVAL_MS: "600000" });
    const { env: e, counts } = countingEnv(base);
    const fleet = isolatesIn({ LHR: 2, CDG: 2, SIN: 2 });
    await predictionRound(fleet, e);
    await predictionRound(fleet, e);
    const forwards = await Promise.all(LOCATIONS.map((colo) => relayUpstream(relay(base, colo))));

    const flippedAt = Date.now();
    await flipDirect(base, "green");
    const background: Promise<void>[] = [];
    const seenAfterMs = await Promise.all(
      fleet.map(async (isolate) => {
        for (const deadline = flippedAt + 5_000; Date.now() < deadline; await sleep(POLL_MS)) {
          const s = await sample(isolate, e, background);
          expect(s.status).toBe(200);
          if (s.color === "green") return Date.now() - flippedAt;
        }
        throw new Error(`an isolate in ${isolate.colo} never served green`);
      }),
    );
    await Promise.all(background);
    const slowest = Math.max(...seenAfterMs);
    console.log(`flip convergence: ${fleet.length} isolates in 3 locations served green ${seenAfterMs.sort((a, b) => a - b).join(", ")} ms after the flip (FLAG_TTL_MS ${flagTtlMs}; slowest relay call ${counts.slowestCallMs} ms)`);
    // The isolate's state ages out at most FLAG_TTL_MS after the flip; its sync takes one relay round trip,
    // and the next poll serves green. The relays held it already: they forwarded nothing.
    expect(slowest).toBeLessThanOrEqual(flagTtlMs + counts.slowestCallMs + 2 * POLL_MS + 100);
    expect(forwards.map((f: UpstreamCounts) => f.forwards)).toEqual([0, 0, 0]);
    expect(totalCalls(counts)).toBe(0);
  }, 30_000);
});

describe("an automatic rollback through the relays", () => {
  it("is decided within 3 s of the first failure at 50 predictions/s across 3 locations, with 0 user errors", async () => {
    // The production report timing for isolates and relays (the pool's REPORT_INTERVAL_MS is 0).
    const e = testEnv({ GREEN_ORIGINS: origins.TEST_FAILING_GREEN, REPORT_INTERVAL_MS: "1000" });
    await setControllerVars(e, { REPORT_INTERVAL_MS: "1000" });
    const fleet = isolatesIn({ LHR: 2, CDG: 2, SIN: 2 });
    const samples: Promise<Sample>[] = [];
    const background: Promise<void>[] = [];
    let stop = false;
    // 50 predictions/s, round-robin over the isolates, for at most 20 s.
    const load = (async () => {
      const started = Date.now();
      for (let i = 0; !stop && Date.now() - started < 20_000; i++) {
        samples.push(sample(fleet[i % fleet.length]!, e, background));
        await sleep(Math.max(0, started + (i + 1) * 20 - Date.now()));
      }
    })();
    try {
      await sleep(1_500); // blue traffic first: every relay warm
      await flipDirect(e, "green");
      const rolledBack = await waitForPhase(e, "rolled_back", 15_000);
      expect(rolledBack).toBe(true);
      await sleep(1_000);
    } finally {
      stop = true;
      await load;
    }
    const seen = await Promise.all(samples);
    await Promise.all(background);
    expect(seen.filter((s) => s.status !== 200)).toEqual([]);
    const firstFailure = seen.find((s) => s.failover === "blue");
    expect(firstFailure).toBeDefined();
    const [rollback] = await controller(e).history(1);
    expect(rollback).toMatchObject({ kind: "auto", action: "rollback", from: "green", to: "blue", actor: "controller" });
    const decidedMs = Date.parse(rollback!.at) - firstFailure!.sentAt;
    const failedOver = seen.filter((s) => s.failover === "blue").length;
    console.log(`rollback through relays: decided ${decidedMs} ms after the first failure; ${seen.length} predictions, ${failedOver} failed over to blue, 0 errors (${rollback!.reason})`);
    expect(decidedMs).toBeLessThanOrEqual(3_000);
  }, 40_000);
});

/** Polls the controller's phase until it is `phase` (true) or `timeoutMs` passes (false). */
async function waitForPhase(e: Env, phase: string, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
    if ((await controller(e).getRoutingState()).phase === phase) return true;
  }
  return false;
}

describe("a failing relay or controller fails no user request", () => {
  it("a relay that throws on every call: all 200 on the last state, no call to the controller; its outcomes counted once it is back", async () => {
    const base = testEnv({ FLAG_TTL_MS: "0" });
    const faults = { failRelays: false };
    const { env: e, counts } = countingEnv(base, faults);
    const fleet = isolatesIn({ LHR: 2, CDG: 2, SIN: 2 });
    const warm = await predictionRound(fleet, e);
    await slowWindowOnce(base, "blue", warm.length);

    faults.failRelays = true;
    const during: number[] = [];
    for (let r = 0; r < 5; r++) during.push(...(await predictionRound(fleet, e)));
    expect(during.filter((s) => s !== 200)).toEqual([]);
    expect(counts.relayCalls.sync).toBeGreaterThan(warm.length);
    // No isolate went to the controller instead: every one had a state.
    expect(totalCalls(counts)).toBe(0);
    for (const { router } of fleet) expect(router.isolate.link(base.DEPLOYMENT_NAME).cache.state).toMatchObject({ active: "blue" });

    faults.failRelays = false;
    await sleep(1_100); // past the isolates' back-off
    const after = await predictionRound(fleet, e);
    const total = warm.length + during.length + after.length;
    expect((await slowWindowOnce(base, "blue", total)).requests).toBe(total);
  }, 30_000);

  it("a controller that refuses every forward (overloaded): all 200, isolates keep their state, then every outcome counted once", async () => {
    const e = testEnv({ FLAG_TTL_MS: "0" });
    const fleet = isolatesIn({ LHR: 2, CDG: 2, SIN: 2 });
    const warm = await predictionRound(fleet, e);
    await slowWindowOnce(e, "blue", warm.length);
    const faults = LOCATIONS.map(() => ({ fail: true }));
    const upstreams = await Promise.all(LOCATIONS.map((colo, i) => relayUpstream(relay(e, colo), faults[i])));

    const during: number[] = [];
    for (let r = 0; r < 5; r++) during.push(...(await predictionRound(fleet, e)));
    expect(during.filter((s) => s !== 200)).toEqual([]);
    for (const u of upstreams) expect(u.failed).toBeGreaterThanOrEqual(1);
    for (const { router } of fleet) expect(router.isolate.link(e.DEPLOYMENT_NAME).cache.state).toMatchObject({ active: "blue", epoch: 1 });

    for (const f of faults) f.fail = false;
    await sleep(1_100); // past the relays' retry back-off
    const after = await predictionRound(fleet, e);
    const total = warm.length + during.length + after.length;
    expect((await slowWindowOnce(e, "blue", total)).requests).toBe(total);
  }, 30_000);
});
