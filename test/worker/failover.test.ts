// Covers worker/src/failover.ts and attempt.ts's outcome classification against
// real model servers: with green active, a green origin that answers 500,
// hangs past ORIGIN_TIMEOUT_MS, or refuses connections is covered by blue
// (200, x-bluegreen-failover: blue) and the failure is counted against green
// in the controller's windows; FAILOVER=off and a standby known unhealthy
// answer the active colour's failure (500 as sent, 504, 502) instead.
// Only this file changes TEST_FAULTY_GREEN's faults (PUT /fault).
import { afterEach, describe, expect, it } from "vitest";
import {
  adminRequest,
  controller,
  errorOf,
  flipDirect,
  newIsolate,
  origins,
  predictRequest,
  sendSettled,
  setFault,
  testEnv,
  waitFor,
  type Router,
} from "./helpers.js";

afterEach(async () => {
  await setFault(origins.TEST_FAULTY_GREEN, { rate: 0, latencyMs: 0 });
});

/** A deployment with the faulty model server as green, green active. */
async function greenActive(overrides: Partial<Record<keyof Env, unknown>> = {}): Promise<{ e: Env; router: Router }> {
  const e = testEnv({ GREEN_ORIGINS: origins.TEST_FAULTY_GREEN, REPORT_INTERVAL_MS: "0", ...overrides });
  await flipDirect(e, "green");
  return { e, router: newIsolate() };
}

interface GreenErrors {
  http5xx: number;
  timeout: number;
  connect: number;
}

/**
 * The controller's fast-window counts, after the router's last report: its
 * relay forwards in the background, so once they count green attempts and
 * have not changed for a poll.
 */
async function windowCounts(router: Router, e: Env): Promise<{ green: { requests: number; errors: GreenErrors }; blue: { requests: number } }> {
  await router.isolate.link(e.DEPLOYMENT_NAME).sync(e);
  let last = "";
  return waitFor("the relay's forward of the router's last report", async () => {
    const res = await sendSettled(router, e, adminRequest("GET", "/admin/status"));
    expect(res.status).toBe(200);
    const status = (await res.json()) as {
      colors: Record<"blue" | "green", { metrics: { fast: { requests: number; errors: GreenErrors } } }>;
    };
    const counts = { green: status.colors.green.metrics.fast, blue: status.colors.blue.metrics.fast };
    const seen = JSON.stringify(counts);
    const settled = counts.green.requests > 0 && seen === last;
    last = seen;
    return settled ? counts : undefined;
  });
}

async function expectCoveredByBlue(res: Response): Promise<void> {
  expect(res.status).toBe(200);
  expect(res.headers.get("x-bluegreen-failover")).toBe("blue");
  expect(res.headers.get("x-bluegreen-color")).toBe("blue");
  expect(((await res.json()) as { model_version: string }).model_version).toBe("v1");
}

describe("failover to the healthy standby", () => {
  it("green answering 500 is covered by blue; the 5xx counts against green", async () => {
    const { e, router } = await greenActive();
    const healthy = await sendSettled(router, e, predictRequest());
    expect(healthy.headers.get("x-bluegreen-color")).toBe("green");
    expect(healthy.headers.has("x-bluegreen-failover")).toBe(false);

    await setFault(origins.TEST_FAULTY_GREEN, { rate: 1 });
    for (let i = 0; i < 3; i++) await expectCoveredByBlue(await sendSettled(router, e, predictRequest()));

    const counts = await windowCounts(router, e);
    expect(counts.green.errors.http5xx).toBe(3);
    expect(counts.green.requests).toBe(4);
    expect(counts.blue.requests).toBe(3);
  });

  it("green hanging past ORIGIN_TIMEOUT_MS is covered by blue; the timeout counts against green", async () => {
    const { e, router } = await greenActive({ ORIGIN_TIMEOUT_MS: "250" });
    await setFault(origins.TEST_FAULTY_GREEN, { latencyMs: 3_000 });
    const t0 = Date.now();
    await expectCoveredByBlue(await sendSettled(router, e, predictRequest()));
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect((await windowCounts(router, e)).green.errors.timeout).toBe(1);
  });

  it("green refusing connections is covered by blue; the connect error counts against green", async () => {
    const { e, router } = await greenActive({ GREEN_ORIGINS: origins.TEST_DEAD_ORIGIN });
    await expectCoveredByBlue(await sendSettled(router, e, predictRequest()));
    await expectCoveredByBlue(await sendSettled(router, e, predictRequest()));
    expect((await windowCounts(router, e)).green.errors.connect).toBe(2);
  });
});

describe("when the standby fails too", () => {
  it("the client gets the active colour's failure: green's 500 as sent, or 502 when green refused", async () => {
    const { e, router } = await greenActive({ BLUE_ORIGINS: origins.TEST_DEAD_ORIGIN });
    await setFault(origins.TEST_FAULTY_GREEN, { rate: 1 });
    const res = await sendSettled(router, e, predictRequest());
    expect(res.status).toBe(500);
    expect(res.headers.get("x-bluegreen-color")).toBe("green");
    expect(res.headers.has("x-bluegreen-failover")).toBe(false);
    // The model server's own error body (its injected fault), kept while blue was tried — not one the router made up.
    expect(await errorOf(res)).toEqual({ code: "internal", message: "injected fault (FAULT_RATE)" });

    const both = await sendSettled(newIsolate(), { ...e, GREEN_ORIGINS: origins.TEST_DEAD_ORIGIN }, predictRequest());
    expect(both.status).toBe(502);
    expect((await errorOf(both)).code).toBe("bad_gateway");
    const counts = await windowCounts(router, e);
    expect(counts.green.errors.http5xx).toBe(1);
  });
});

describe("no failover", () => {
  it("FAILOVER=off passes green's 500 through, and answers 504 / 502 for a timeout / refused connection", async () => {
    const { e, router } = await greenActive({ FAILOVER: "off", ORIGIN_TIMEOUT_MS: "250" });
    await setFault(origins.TEST_FAULTY_GREEN, { rate: 1 });
    const fivexx = await sendSettled(router, e, predictRequest());
    expect(fivexx.status).toBe(500);
    expect(fivexx.headers.get("x-bluegreen-color")).toBe("green");
    expect(fivexx.headers.has("x-bluegreen-failover")).toBe(false);
    await fivexx.body?.cancel();

    await setFault(origins.TEST_FAULTY_GREEN, { rate: 0, latencyMs: 3_000 });
    const timeout = await sendSettled(router, e, predictRequest());
    expect(timeout.status).toBe(504);
    expect((await errorOf(timeout)).code).toBe("timeout");

    const dead = await sendSettled(newIsolate(), { ...e, GREEN_ORIGINS: origins.TEST_DEAD_ORIGIN }, predictRequest());
    expect(dead.status).toBe(502);
    expect((await errorOf(dead)).code).toBe("bad_gateway");
  });

  it("does not fail over to a standby whose last probe failed", async () => {
    const { e, router } = await greenActive({ GREEN_ORIGINS: origins.TEST_DEAD_ORIGIN });
    await controller(e).recordProbe("blue", { ok: false, at: Date.now(), error: "test: blue down" });
    await router.isolate.link(e.DEPLOYMENT_NAME).sync(e);
    const res = await sendSettled(router, e, predictRequest());
    expect(res.status).toBe(502);
    expect(res.headers.get("x-bluegreen-color")).toBe("green");
  });

  it("does not fail over preview requests: a preview of green gets green's answer", async () => {
    const e = testEnv({ GREEN_ORIGINS: origins.TEST_FAULTY_GREEN });
    await setFault(origins.TEST_FAULTY_GREEN, { rate: 1 });
    const res = await sendSettled(
      newIsolate(),
      e,
      predictRequest("fine", { "x-bluegreen-preview": "green", authorization: "Bearer test-admin-token" }),
    );
    expect(res.status).toBe(500);
    expect(res.headers.get("x-bluegreen-color")).toBe("green");
    await res.body?.cancel();
  });
});
