// Covers the controller's side of the relayed protocol
// (worker/src/controller/deployment-controller.ts forward, the push after a
// change; relay-registry.ts through traffic-memory.ts): a relay's forward is
// counted in the windows once — a resent batch is acknowledged, not counted
// again — and answered with the state and the relay's schedule; a forward
// that does not read is refused and changes nothing; the relays' batch
// numbers are stored with the windows (docs/storage.md `relays`); every
// change (flip, rollback, health change) is pushed to the relays heard from
// recently, which then hold it without forwarding.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RoutingState } from "../../../contract/routing.js";
import { STORAGE_KEYS } from "../../../worker/src/controller/state-store.js";
import type { RelayForward } from "../../../worker/src/relay/relay-messages.js";
import { relayName } from "../../../worker/src/relay/relay-name.js";
import { controller, relay, relayUpstream, setControllerClock, testEnv, waitFor } from "../helpers.js";
import { bucket } from "./builders.js";

function forwardOf(e: Env, over: Partial<RelayForward> = {}): RelayForward {
  return { relay: relayName(e.DEPLOYMENT_NAME, "LHR", 0), incarnation: "inc-1", colo: "LHR", batches: [], isolates: 4, ...over };
}

describe("forward", () => {
  it("counts a relay's batches once, answers state and schedule, and stores the batch numbers with the windows", async () => {
    const e = testEnv();
    const clock = await setControllerClock(e);
    const batches = [
      { seq: 1, buckets: [bucket(clock.second, "blue", { requests: 30, errors: 3 })] },
      { seq: 2, buckets: [bucket(clock.second, "blue", { requests: 10 }), bucket(clock.second, "green", { requests: 2 })] },
    ];
    const answer = await controller(e).forward(forwardOf(e, { batches }));
    expect(answer).toMatchObject({ ackSeq: 2, shards: 1, earlyErrorRate: 0.05, state: { active: "blue", epoch: 1 } });
    // The pool's REPORT_INTERVAL_MS is 0: one relay may forward every 10 ms (TARGET_FORWARDS_PER_SECOND 100).
    expect(answer.forwardIntervalMs).toBe(10);

    // The answer was lost: the relay sends both again, with a third.
    const third = { seq: 3, buckets: [bucket(clock.second, "blue", { requests: 5 })] };
    expect((await controller(e).forward(forwardOf(e, { batches: [...batches, third] }))).ackSeq).toBe(3);
    const status = await controller(e).status();
    expect(status.metrics.blue.fast).toMatchObject({ requests: 45, errors: { total: 3 } });
    expect(status.metrics.green.fast.requests).toBe(2);

    expect(await runDurableObjectAlarm(controller(e))).toBe(true);
    const stored = await runInDurableObject(controller(e), (_i, state) => state.storage.kv.get(STORAGE_KEYS.relays));
    expect(stored).toMatchObject({
      version: 1,
      relays: [{ relay: forwardOf(e).relay, colo: "LHR", isolates: 4 }],
      seqs: [{ sender: `${forwardOf(e).relay}#inc-1`, seq: 3 }],
    });
  });

  it("refuses a forward that does not read (a TypeError over RPC) and counts nothing", async () => {
    const e = testEnv();
    const clock = await setControllerClock(e);
    const good = forwardOf(e, { batches: [{ seq: 1, buckets: [bucket(clock.second, "blue", { requests: 7 })] }] });
    for (const bad of [{ ...good, relay: "elsewhere" }, { ...good, batches: [{ seq: 0, buckets: [] }] }, { ...good, isolates: "many" }]) {
      // Settled in a try: handing the RPC promise to expect().rejects leaves an unhandled rejection in workerd.
      let thrown: unknown = null;
      try {
        await controller(e).forward(bad as unknown as RelayForward);
      } catch (err) {
        thrown = err;
      }
      expect(String(thrown)).toMatch(/TypeError: invalid relay forward/);
    }
    expect((await controller(e).status()).metrics.blue.fast.requests).toBe(0);
  });
});

describe("the push of every change", () => {
  it("reaches the relays heard from recently: a flip, a rollback and a health change, with their forwards failing", async () => {
    const e = testEnv();
    const lhr = relay(e, "LHR");
    // Every forward of this relay fails: what it holds can only have come from the push.
    const upstream = await relayUpstream(lhr, { fail: true });
    await controller(e).forward(forwardOf(e)); // the controller hears of it (as from the relay)
    const held = (pred: (s: RoutingState) => boolean) =>
      waitFor("the pushed state at the relay", async () => {
        const { state } = await lhr.sync({ isolateId: "probe", batches: [] });
        return state !== null && pred(state) ? state : undefined;
      });

    await controller(e).flip({ to: "green", actor: "t" });
    expect(await held((s) => s.epoch === 2)).toMatchObject({ active: "green", phase: "baking" });
    await controller(e).rollback({ actor: "t" });
    expect(await held((s) => s.epoch === 3)).toMatchObject({ active: "blue", phase: "rolled_back" });
    await controller(e).recordProbe("green", { ok: false, at: Date.now(), error: "HTTP 503: draining" });
    expect(await held((s) => s.health.green === "unhealthy")).toMatchObject({ epoch: 3 });
    // Only its first (cold) sync made it try to forward.
    expect(upstream.forwards).toBe(upstream.failed);
  });
});
