// Covers worker/src/routing-state.ts and controller-link.ts — the read path
// of docs/architecture.md "Routing state" against real model servers (blue
// v1, green v2) on loopback: traffic follows the flag (through SELF, the
// wrangler.toml Worker); a flip is seen by the next request in the same
// isolate and, in a second isolate, within FLAG_TTL_MS plus one relay round
// trip (the controller pushed it to their relay); the relay's answer to a
// sync carries a flip; a cold isolate reads KV first, then syncs with its
// relay, and asks the controller itself only when neither had a state; an
// unreachable relay and controller leave the isolate serving from KV, with
// no call to the controller; no state anywhere is a 503.
import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RoutingCache, initialRoutingState, isNewer, routingKvKey } from "../../worker/src/routing-state.js";
import {
  adminRequest,
  controller,
  countingEnv,
  errorOf,
  flipDirect,
  newIsolate,
  predictRequest,
  send,
  sendSettled,
  testEnv,
  totalCalls,
} from "./helpers.js";

async function colorOf(res: Response): Promise<{ color: string | null; version: string; epoch: string | null }> {
  expect(res.status).toBe(200);
  const body = (await res.json()) as { model_version: string };
  return { color: res.headers.get("x-bluegreen-color"), version: body.model_version, epoch: res.headers.get("x-bluegreen-epoch") };
}

describe("traffic follows the flag", () => {
  it("through the deployed Worker (SELF): blue v1, then green v2 after a flip, then blue again", async () => {
    const before = await colorOf(await SELF.fetch(predictRequest()));
    expect(before).toMatchObject({ color: "blue", version: "v1" });

    const flip = await SELF.fetch(adminRequest("POST", "/admin/flip", { to: "green", reason: "test" }));
    expect(flip.status).toBe(200);
    const green = await colorOf(await SELF.fetch(predictRequest()));
    expect(green).toMatchObject({ color: "green", version: "v2" });
    expect(Number(green.epoch)).toBe(Number(before.epoch) + 1);

    expect((await SELF.fetch(adminRequest("POST", "/admin/rollback", {}))).status).toBe(200);
    expect(await colorOf(await SELF.fetch(predictRequest()))).toMatchObject({ color: "blue", version: "v1" });
  });
});

describe("flip visibility", () => {
  it("the next request in the same isolate follows a flip made through it", async () => {
    const e = testEnv();
    const a = newIsolate();
    expect((await colorOf(await sendSettled(a, e, predictRequest()))).color).toBe("blue");
    const flip = await send(a, e, adminRequest("POST", "/admin/flip", { to: "green" }));
    expect(flip.res.status).toBe(200);
    // No background work in between: the admin answer itself updated the cache.
    expect((await colorOf((await send(a, e, predictRequest())).res)).color).toBe("green");
  });

  it("a second isolate follows within FLAG_TTL_MS plus one relay round trip", async () => {
    const flagTtlMs = 300;
    // Reports never fall due here, so only the TTL refreshes B's copy, and the relay forwards only when cold.
    const { env: e, counts } = countingEnv(testEnv({ FLAG_TTL_MS: String(flagTtlMs), REPORT_INTERVAL_MS: "600000" }));
    const a = newIsolate();
    const b = newIsolate();
    await sendSettled(a, e, predictRequest());
    await sendSettled(b, e, predictRequest());
    expect(b.isolate.link(e.DEPLOYMENT_NAME).cache.state?.active).toBe("blue");

    const flippedAt = Date.now();
    expect((await sendSettled(a, e, adminRequest("POST", "/admin/flip", { to: "green" }))).status).toBe(200);

    // B keeps serving its cached state until it is older than the TTL; then one
    // background sync (one relay round trip) brings the flip, which the controller
    // pushed to their relay — started by a request, or by the trailing flush of the last one's outcome.
    let seenGreenAt: number | null = null;
    const background: Promise<void>[] = [];
    for (let i = 0; i < 100 && seenGreenAt === null; i++) {
      const sent = await send(b, e, predictRequest());
      background.push(sent.settle());
      if ((await colorOf(sent.res)).color === "green") seenGreenAt = Date.now();
      else await new Promise((r) => setTimeout(r, 25));
    }
    await Promise.all(background);
    expect(seenGreenAt).not.toBeNull();
    // Polling every ~25 ms adds at most one poll interval on top of TTL + round trip.
    expect(seenGreenAt! - flippedAt).toBeLessThanOrEqual(flagTtlMs + counts.slowestCallMs + 25 + 50);
    // The isolates asked only their relay; the admin flip went to the controller.
    expect(counts.controllerCalls).toEqual({ flip: 1 });
  });

  it("the relay's answer to a sync carries a flip (no separate read, no controller call)", async () => {
    const { env: counted, counts } = countingEnv(testEnv({ FLAG_TTL_MS: "0", REPORT_INTERVAL_MS: "0" }));
    const a = newIsolate();
    await sendSettled(a, counted, predictRequest());
    await flipDirect(counted, "green");
    const flipCalls = totalCalls(counts);
    // Requests are served from the cache (blue) until a sync's answer brings the flip, which the
    // controller pushes to the relay in the background (or the relay's next forward brings).
    let served: string | null = "blue";
    for (let i = 0; i < 20 && served !== "green"; i++) {
      served = (await colorOf(await sendSettled(a, counted, predictRequest()))).color;
      if (served !== "green") await new Promise((r) => setTimeout(r, 20));
    }
    expect(served).toBe("green");
    expect(counts.relayCalls.sync).toBeGreaterThanOrEqual(2);
    expect(totalCalls(counts)).toBe(flipCalls);
  });
});

describe("cold isolates and KV", () => {
  it("a cold isolate reads KV once and serves from it, then syncs with its relay in the background", async () => {
    const e = testEnv();
    await flipDirect(e, "green"); // the controller writes KV on every change
    expect(JSON.parse((await env.ROUTING.get(routingKvKey(e.DEPLOYMENT_NAME))) ?? "{}")).toMatchObject({
      active: "green",
      epoch: 2,
    });
    const { env: counted, counts } = countingEnv(e);
    const cold = newIsolate();
    const sent = await send(cold, counted, predictRequest());
    expect((await colorOf(sent.res)).color).toBe("green");
    expect(counts.kvReads).toBe(1);
    await sent.settle();
    // The background refresh, then the request's outcome reported once it ended; the relay's
    // first answer waited for its first forward, so the state now comes from the controller.
    expect(counts.relayCalls).toEqual({ sync: 2 });
    expect(counts.controllerCalls).toEqual({});
    expect(cold.isolate.link(e.DEPLOYMENT_NAME).cache.source).toBe("controller");
  });

  it("a brand-new deployment (nothing in KV) waits for its relay's first forward: blue, epoch 1, stable", async () => {
    const { env: counted, counts } = countingEnv(testEnv());
    const res = await sendSettled(newIsolate(), counted, predictRequest());
    expect(await colorOf(res)).toMatchObject({ color: "blue", epoch: "1" });
    expect(counts.kvReads).toBe(1);
    expect(counts.relayCalls.sync).toBeGreaterThanOrEqual(1);
    expect(counts.controllerCalls).toEqual({});
    expect(await controller(counted).getRoutingState()).toMatchObject({ active: "blue", epoch: 1, phase: "stable" });
  });

  it("nothing in KV and the relay unreachable: the cold isolate asks the controller itself, once", async () => {
    const faults = { failRelays: true };
    const { env: counted, counts } = countingEnv(testEnv({ FLAG_TTL_MS: "0" }), faults);
    const isolate = newIsolate();
    for (let i = 0; i < 3; i++) expect(await colorOf(await sendSettled(isolate, counted, predictRequest()))).toMatchObject({ color: "blue", epoch: "1" });
    expect(counts.controllerCalls).toEqual({ getRoutingState: 1 });
    expect(counts.relayCalls.sync).toBeGreaterThanOrEqual(1);
  });

  it("with the relay and the controller unreachable, keeps serving from KV, re-reads KV at most once a minute, never calls the controller", async () => {
    const e = testEnv({ FLAG_TTL_MS: "0" });
    await flipDirect(e, "green");
    const { env: broken, counts } = countingEnv(e, { failRelays: true, failController: true });
    const isolate = newIsolate();
    for (let i = 0; i < 5; i++) {
      const res = await sendSettled(isolate, broken, predictRequest());
      expect((await colorOf(res)).color).toBe("green");
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(counts.relayCalls.sync).toBeGreaterThanOrEqual(1);
    expect(totalCalls(counts)).toBe(0);
    expect(counts.kvReads).toBe(1);
  });

  it("answers 503 JSON when neither the relay, the controller nor KV has a state", async () => {
    const { env: broken } = countingEnv(testEnv(), { failRelays: true, failController: true });
    const res = await sendSettled(newIsolate(), broken, predictRequest());
    expect(res.status).toBe(503);
    expect((await errorOf(res)).code).toBe("unavailable");
  });
});

describe("RoutingCache", () => {
  it("never goes back to an older state", () => {
    const cache = new RoutingCache();
    const s1 = initialRoutingState(1_000);
    const s2 = { ...s1, active: "green" as const, epoch: 2, updatedAt: 2_000 };
    expect(cache.accept(s2, "controller")).toBe(true);
    expect(cache.accept(s1, "kv")).toBe(false);
    expect(cache.state).toEqual(s2);
    expect(isNewer({ ...s2, updatedAt: 2_001 }, s2)).toBe(true);
  });
});
