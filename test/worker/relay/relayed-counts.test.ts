// Covers the relayed report path in the Worker (docs/scale.md "The Worker
// side"): router isolates in several locations (their requests' `cf.colo`)
// sync with their location's TelemetryRelay, which forwards merged, numbered
// batches to the DeploymentController — against real model servers. Every
// prediction is counted exactly once in the controller's windows:
// - across 3 locations and a location split into 2 relay shards (255
//   isolates: more than one relay's share), with one isolate's sync answer
//   and one relay's forward answer lost on the way back (each resent, not
//   counted twice);
// - past a sync and a forward whose answers never come (each given up after
//   its bound, bounded-call.ts, and sent again);
// - across a controller restart between a counted batch and its resend (the
//   relays' batch numbers are stored with the windows);
// - through a relay the runtime started without its name (its alarm does,
//   after a restart): the isolates' calls name it;
// - across a relay restart: its successor is a new incarnation, so nothing
//   is counted twice, and what is lost is exactly what the old one had not
//   handed to the controller.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { TelemetryRelay } from "../../../worker/src/relay/relay-object.js";
import { describe, expect, it } from "vitest";
import { relayName } from "../../../worker/src/relay/relay-name.js";
import {
  controller,
  countingEnv,
  isolatesIn,
  predictionRound,
  relay,
  relayUpstream,
  slowWindowOnce,
  testEnv,
  waitFor,
  type LocatedIsolate,
} from "../helpers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Past the isolates' and relays' back-off after a failed call (RELAY_SYNC_BACKOFF_MS, RELAY_RETRY_MS: 1 s). */
const PAST_BACKOFF_MS = 1_100;

/** The controller's blue slow-window count once it reaches `n`, and again after `settleMs` (nothing more may arrive). */
async function countedExactly(e: Env, n: number, settleMs = 1_500): Promise<number> {
  const first = (await slowWindowOnce(e, "blue", n, 10_000)).requests;
  await sleep(settleMs);
  const later = (await controller(e).status()).metrics.blue.slow.requests;
  expect(later).toBe(first);
  return later;
}

/** Each isolate syncs with its relay once, at the same time (the FLAG_TTL_MS refresh, without a prediction). */
async function syncAll(isolates: readonly LocatedIsolate[], e: Env): Promise<void> {
  await Promise.all(isolates.map(({ router }) => router.isolate.link(e.DEPLOYMENT_NAME).sync(e)));
}

describe("every prediction is counted once", () => {
  it("across 3 locations and a sharded one, with a lost sync answer and a lost forward answer, each resent", async () => {
    const base = testEnv();
    await controller(base).getRoutingState(); // a deployment that exists: cold isolates read KV
    const faults = { loseSyncAnswers: 1 };
    const { env: e, counts } = countingEnv(base, faults);
    const lhr = await relayUpstream(relay(base, "LHR"), { loseAnswers: 1 });
    // One relay's share is TARGET_ISOLATES_PER_RELAY (250) isolates: SIN needs two.
    const fleet = isolatesIn({ LHR: 2, CDG: 2, SIN: 255 });
    const statuses: number[] = [];

    statuses.push(...(await predictionRound(fleet, e)));
    // SIN's relay reports its 255 isolates with its next forward; the controller answers 2 shards; the
    // isolates learn it from their relay's answers and half of them move to the second shard.
    const secondShard = relayName(base.DEPLOYMENT_NAME, "SIN", 1);
    for (let i = 0; i < 20 && !counts.relaysCalled.has(secondShard); i++) {
      await syncAll(fleet, e);
      await sleep(50);
    }
    expect([...counts.relaysCalled].sort()).toEqual(["CDG/0", "LHR/0", "SIN/0", "SIN/1"].map((s) => `${base.DEPLOYMENT_NAME}/relay/${s}`));

    statuses.push(...(await predictionRound(fleet, e)));
    // The isolate whose answer was lost backs off, and LHR's relay retries its forward, each after 1 s.
    await sleep(PAST_BACKOFF_MS);
    statuses.push(...(await predictionRound(fleet, e)));

    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(counts.lostSyncAnswers).toBe(1);
    expect(lhr.lostAnswers).toBe(1);
    expect(lhr.forwards).toBeGreaterThanOrEqual(2);
    const counted = await countedExactly(base, statuses.length);
    console.log(
      `exact merge: ${statuses.length} predictions by ${fleet.length} isolates in 3 locations (SIN in 2 shards) → ${counted} counted; ` +
        `${counts.relayCalls.sync} relay syncs, 1 sync answer and 1 forward answer lost, LHR forwarded ${lhr.forwards} times`,
    );
    expect(counted).toBe(statuses.length);
    expect(counts.controllerCalls).toEqual({});
    for (const { router } of fleet) expect(router.isolate.link(base.DEPLOYMENT_NAME).telemetry.pending).toBe(false);
  }, 60_000);

  it("past a sync and a forward that never answer: each is given up after its bound and sent again, nothing counted twice", async () => {
    const base = testEnv();
    await controller(base).getRoutingState();
    const faults = { hangSyncAnswers: 1 };
    const { env: e, counts } = countingEnv(base, faults);
    const lhr = await relayUpstream(relay(base, "LHR"), { hangAnswers: 1, forwardTimeoutMs: 300 });
    const fleet = isolatesIn({ LHR: 2 });
    for (const { router } of fleet) router.isolate.link(base.DEPLOYMENT_NAME).syncTimeoutMs = 300;

    // The relay takes an isolate's batch and its answer never comes; the controller counts the relay's
    // batch and its answer never comes. Without a bound, each sender would wait for good, and nothing it
    // counted afterwards would reach the controller.
    let sent = (await predictionRound(fleet, e)).length;
    await waitFor("both answers held back", async () => (counts.hungSyncAnswers === 1 && lhr.hungAnswers === 1 ? true : undefined));
    await sleep(300 + PAST_BACKOFF_MS);
    sent += (await predictionRound(fleet, e)).length;
    await sleep(PAST_BACKOFF_MS);
    sent += (await predictionRound(fleet, e)).length;

    const counted = await countedExactly(base, sent);
    console.log(`unanswered calls: ${sent} predictions, 1 sync and 1 forward never answered → ${counted} counted; LHR forwarded ${lhr.forwards} times`);
    expect(counted).toBe(sent);
    expect(lhr.forwards).toBeGreaterThanOrEqual(2);
    for (const { router } of fleet) expect(router.isolate.link(base.DEPLOYMENT_NAME).telemetry.pending).toBe(false);
  }, 30_000);

  it("across a controller restart between a counted batch and its resend", async () => {
    const e = testEnv();
    const fleet = isolatesIn({ LHR: 2 });
    const upstream = { loseAnswers: 0, fail: false };
    const lhr = await relayUpstream(relay(e, "LHR"), upstream);
    let sent = (await predictionRound(fleet, e)).length;
    await slowWindowOnce(e, "blue", sent);

    // The controller counts the next batch, its answer is lost, and the relay's retry finds the controller
    // unreachable: the batch stays with the relay…
    upstream.loseAnswers = 1;
    sent += (await predictionRound(fleet, e)).length;
    await waitFor("the lost answer", async () => (lhr.lostAnswers === 1 ? true : undefined));
    upstream.fail = true;
    // …while the controller saves its windows (its alarm) with the batch numbers, and restarts.
    expect(await runDurableObjectAlarm(controller(e))).toBe(true);
    await evictDurableObject(controller(e));
    upstream.fail = false;
    // The relay sends the batch again to the new instance, which knows it has it.
    await sleep(PAST_BACKOFF_MS);
    sent += (await predictionRound(fleet, e)).length;
    expect(await countedExactly(e, sent)).toBe(sent);
    expect(lhr.forwards).toBeGreaterThanOrEqual(3);
  }, 30_000);

  it("through a relay started without its name (as its alarm starts it after a restart): the calls that follow name it, and every outcome is counted", async () => {
    const e = testEnv();
    // The runtime starts an object for its alarm from an id without a name (workerd's alarm
    // scheduler keeps only the hex id), and the instance keeps that id for every call after. A
    // stub made from the id's string starts it the same way.
    const namespace = e.RELAYS as DurableObjectNamespace<TelemetryRelay>;
    const nameless = namespace.get(namespace.idFromString(relay(e, "FRA").id.toString()));
    await runInDurableObject(nameless, async (instance: TelemetryRelay, state) => {
      expect(state.id.name).toBeUndefined();
      await instance.alarm(); // nothing held yet: nothing to do, and no throw (a throw is retried by the runtime)
    });

    const fleet = isolatesIn({ FRA: 2 });
    const sent = (await predictionRound(fleet, e)).length + (await predictionRound(fleet, e)).length;
    const counted = await countedExactly(e, sent);
    console.log(`nameless relay: ${sent} predictions through it → ${counted} counted`);
    expect(counted).toBe(sent);
  }, 30_000);

  it("across a relay restart: nothing twice, and only what it had not handed to the controller is lost", async () => {
    const e = testEnv();
    const fleet = isolatesIn({ CDG: 3 });
    const before = (await predictionRound(fleet, e)).length;
    await slowWindowOnce(e, "blue", before);

    // The controller stops answering: the relay keeps what its isolates sent (and acknowledged to them)…
    await relayUpstream(relay(e, "CDG"), { fail: true });
    const stranded = (await predictionRound(fleet, e)).length;
    // …and restarts: its successor (a new incarnation, numbering from 1) reaches the controller again.
    await evictDurableObject(relay(e, "CDG"));
    const after = (await predictionRound(fleet, e)).length;
    const counted = await countedExactly(e, before + after);
    console.log(`relay restart: ${before} before, ${stranded} held by the relay when it restarted (lost), ${after} after → ${counted} counted`);
    expect(counted).toBe(before + after);
  }, 30_000);
});
