// Covers worker/src/routing-state.ts and controller-link.ts — the read path
// of docs/architecture.md "Routing state" against real model servers (blue
// v1, green v2) on loopback: traffic follows the flag (through SELF, the
// wrangler.toml Worker); a flip is seen by the next request in the same
// isolate and, in a second isolate, within FLAG_TTL_MS plus one controller
// round trip; a cold isolate reads KV first; an unreachable controller leaves
// the isolate serving from KV; no state anywhere is a 503.
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

  it("a second isolate follows within FLAG_TTL_MS plus one controller round trip", async () => {
    const flagTtlMs = 300;
    // Reports never fall due here, so only the TTL refreshes B's copy.
    const { env: e, counts } = countingEnv(testEnv({ FLAG_TTL_MS: String(flagTtlMs), REPORT_INTERVAL_MS: "600000" }));
    const a = newIsolate();
    const b = newIsolate();
    await sendSettled(a, e, predictRequest());
    await sendSettled(b, e, predictRequest());
    expect(b.isolate.link(e.DEPLOYMENT_NAME).cache.state?.active).toBe("blue");

    const flippedAt = Date.now();
    expect((await sendSettled(a, e, adminRequest("POST", "/admin/flip", { to: "green" }))).status).toBe(200);

    // B keeps serving its cached state until it is older than the TTL; then one
    // background sync (one controller round trip) brings the flip — started by a
    // request, or by the trailing flush of the last one's outcome.
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
  });

  it("the DO's answer to a telemetry report refreshes the isolate (no separate read)", async () => {
    const { env: counted, counts } = countingEnv(testEnv({ FLAG_TTL_MS: "0", REPORT_INTERVAL_MS: "0" }));
    const a = newIsolate();
    await sendSettled(a, counted, predictRequest());
    await flipDirect(counted, "green");
    // This request is served from the cache (blue), and its outcome is reported…
    const first = await send(a, counted, predictRequest());
    expect((await colorOf(first.res)).color).toBe("blue");
    await first.settle();
    // …and the report's answer carried the flip.
    expect(counts.controllerCalls.report).toBeGreaterThanOrEqual(1);
    expect((await colorOf(await sendSettled(a, counted, predictRequest()))).color).toBe("green");
  });
});

describe("cold isolates and KV", () => {
  it("a cold isolate reads KV once and serves from it, then asks the controller in the background", async () => {
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
    // The background refresh, then the request's outcome reported once it ended.
    expect(counts.controllerCalls).toEqual({ getRoutingState: 1, report: 1 });
    expect(cold.isolate.link(e.DEPLOYMENT_NAME).cache.source).toBe("controller");
  });

  it("a brand-new deployment (nothing in KV) waits for the controller: blue, epoch 1, stable", async () => {
    const { env: counted, counts } = countingEnv(testEnv());
    const res = await sendSettled(newIsolate(), counted, predictRequest());
    expect(await colorOf(res)).toMatchObject({ color: "blue", epoch: "1" });
    expect(counts.kvReads).toBe(1);
    expect(counts.controllerCalls.getRoutingState).toBe(1);
    expect(await controller(counted).getRoutingState()).toMatchObject({ active: "blue", epoch: 1, phase: "stable" });
  });

  it("with the controller unreachable, keeps serving from KV and re-reads KV at most once a minute", async () => {
    const e = testEnv({ FLAG_TTL_MS: "0" });
    await flipDirect(e, "green");
    const { env: broken, counts } = countingEnv(e, { failController: true });
    const isolate = newIsolate();
    for (let i = 0; i < 5; i++) {
      const res = await sendSettled(isolate, broken, predictRequest());
      expect((await colorOf(res)).color).toBe("green");
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(totalCalls(counts)).toBeGreaterThanOrEqual(1);
    expect(counts.kvReads).toBe(1);
  });

  it("answers 503 JSON when neither the controller nor KV has a state", async () => {
    const { env: broken } = countingEnv(testEnv(), { failController: true });
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
