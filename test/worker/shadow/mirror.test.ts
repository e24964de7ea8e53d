// Covers worker/src/shadow/mirror.ts and the shadow routes
// (worker/src/admin/shadow-routes.ts) in workerd, against the recorder
// origins: POST /admin/shadow turns mirroring on in the routing state; a
// served prediction then reaches the standby once more with the same bytes,
// x-bluegreen-shadow: 1 and the origin token (a client's own
// x-bluegreen-shadow never reaches an origin); the user's answer is the
// active colour's; the mirror counts in the shadow block, never in the
// standby's windows; no mirror for a non-2xx answer, a preview, at sample 0
// or after DELETE /admin/shadow; bad shadow bodies are 400 and change
// nothing, a bad shadow gate var 500 misconfigured, other methods 405, no
// token 401.
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, ORIGIN_TOKEN, adminRequest, controller, newIsolate, origins, predictRequest, recorded, sendSettled, testEnv, waitFor } from "../helpers.js";

function recorderEnv() {
  return testEnv({ BLUE_ORIGINS: origins.TEST_RECORDER_A, GREEN_ORIGINS: origins.TEST_RECORDER_B });
}

async function startShadow(router: ReturnType<typeof newIsolate>, e: Env, sample: number): Promise<any> {
  const res = await sendSettled(router, e, adminRequest("POST", "/admin/shadow", { sample, seconds: 60, reason: "test" }));
  expect(res.status).toBe(200);
  return res.json();
}

describe("the shadow mirror", () => {
  it("mirrors a served prediction to the standby: same bytes, shadow header, origin token; counted in the shadow block only", async () => {
    const e = recorderEnv();
    const router = newIsolate();
    const started = await startShadow(router, e, 1);
    expect(started.shadow).toMatchObject({ running: true, sample: 1, active: "blue", standby: "green", sent: 0, verdict: "could_not_measure" });

    const testId = crypto.randomUUID();
    const res = await sendSettled(router, e, predictRequest("a shadowed film", { "x-test-id": testId, "x-bluegreen-shadow": "1" }));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-bluegreen-color")).toBe("blue");
    expect(await res.json()).toEqual({ prediction: "neutral", confidence: 0.5, model_version: "recorder-a" });

    const [toBlue] = await recorded(origins.TEST_RECORDER_A, testId);
    const mirrored = await waitFor("the mirror", async () => (await recorded(origins.TEST_RECORDER_B, testId))[0], 15_000);
    expect(toBlue!.headers["x-bluegreen-shadow"]).toBeUndefined();
    expect(mirrored.path).toBe("/predict");
    expect(mirrored.body).toBe(toBlue!.body);
    expect(mirrored.headers["x-bluegreen-shadow"]).toBe("1");
    expect(mirrored.headers["x-origin-token"]).toBe(ORIGIN_TOKEN);
    expect(mirrored.headers["x-request-id"]).toBe(toBlue!.headers["x-request-id"]);
    expect(JSON.stringify(mirrored.headers)).not.toContain(ADMIN_TOKEN);

    const status = await waitFor("the mirror's report", async () => {
      const s = await controller(e).status();
      return s.shadow?.sent === 1 ? s : undefined;
    }, 15_000);
    // recorder-a and recorder-b both answer "neutral" at 0.5: one item compared, agreeing, Δ 0.
    expect(status.shadow).toMatchObject({ compared: 1, agreed: 1, dropped: 0, meanConfidenceDelta: 0, errors: { total: 0 } });
    expect(status.metrics.blue.slow.requests).toBe(1);
    expect(status.metrics.green.slow.requests).toBe(0);
    expect(status.predictions.green.slow.predictions).toBe(0);
  }, 30_000);

  it("sends no mirror for a non-2xx answer, a preview, at sample 0, or after DELETE /admin/shadow", async () => {
    const e = recorderEnv();
    const router = newIsolate();
    await startShadow(router, e, 1);
    const testId = crypto.randomUUID();
    expect((await sendSettled(router, e, predictRequest("not found", { "x-test-id": testId, "x-test-status": "404" }))).status).toBe(404);
    const preview = predictRequest("a preview", { "x-test-id": testId, "x-bluegreen-preview": "blue", authorization: `Bearer ${ADMIN_TOKEN}` });
    expect((await sendSettled(router, e, preview)).status).toBe(200);

    await startShadow(router, e, 0);
    expect((await sendSettled(router, e, predictRequest("sample zero", { "x-test-id": testId }))).status).toBe(200);

    await startShadow(router, e, 1);
    const stopped = await sendSettled(router, e, adminRequest("DELETE", "/admin/shadow"));
    expect(await stopped.json()).toMatchObject({ shadow: { running: false, endedBy: "stopped" } });
    expect((await sendSettled(router, e, predictRequest("after the stop", { "x-test-id": testId }))).status).toBe(200);

    expect(await recorded(origins.TEST_RECORDER_A, testId)).toHaveLength(4);
    expect(await recorded(origins.TEST_RECORDER_B, testId)).toEqual([]);
    const { entries } = await controller(e).history(10).then((rows) => ({ entries: rows }));
    expect(entries.map((r) => `${r.kind} ${r.action}`)).toEqual(["manual shadow_end", "manual shadow_start", "manual shadow_end", "manual shadow_start", "manual shadow_end", "manual shadow_start"]);
  });

  it("a flip ends the shadowing: isolates stop mirroring, the end is in the history", async () => {
    const e = recorderEnv();
    const router = newIsolate();
    await startShadow(router, e, 1);
    const flip = await sendSettled(router, e, adminRequest("POST", "/admin/flip", { to: "green", force: true }));
    expect(flip.status).toBe(200);
    const testId = crypto.randomUUID();
    expect((await sendSettled(router, e, predictRequest("after the flip", { "x-test-id": testId }))).headers.get("x-bluegreen-color")).toBe("green");
    expect(await recorded(origins.TEST_RECORDER_A, testId)).toEqual([]);
    const shadow = (await controller(e).shadow())!;
    expect(shadow).toMatchObject({ running: false, endedBy: "epoch_changed", epoch: 1 });
    const rows = await controller(e).history(3);
    expect(rows.map((r) => `${r.kind} ${r.action}`)).toEqual(["auto shadow_end", "manual flip", "manual shadow_start"]);
  });
});

describe("the shadow routes", () => {
  it.each([
    ["a sample above 1", { sample: 1.5 }],
    ["no sample", { seconds: 30 }],
    ["more than 24 h", { sample: 0.1, seconds: 86_401 }],
    ["an unknown field", { sample: 0.1, sampel: 0.2 }],
  ])("answers 400 to %s and changes nothing", async (_what, body) => {
    const e = recorderEnv();
    const router = newIsolate();
    const res = await sendSettled(router, e, adminRequest("POST", "/admin/shadow", body));
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe("invalid_request");
    expect(await controller(e).shadow()).toBeNull();
    expect((await controller(e).getRoutingState()).shadow).toBeUndefined();
  });

  it("refuses to start (500 misconfigured, naming the var) while a shadow gate var is bad", async () => {
    const e = testEnv({ BLUE_ORIGINS: origins.TEST_RECORDER_A, GREEN_ORIGINS: origins.TEST_RECORDER_B, MIN_SHADOW_AGREEMENT: "75" });
    const router = newIsolate();
    const res = await sendSettled(router, e, adminRequest("POST", "/admin/shadow", { sample: 1 }));
    expect(res.status).toBe(500);
    const body = (await res.json()) as any;
    expect(body.error.code).toBe("misconfigured");
    expect(body.error.details.issues).toEqual(['MIN_SHADOW_AGREEMENT: must be from 0 to 1 (a rate, not a percentage) (got "75")']);
    expect(await controller(e).shadow()).toBeNull();
  });

  it("answers 401 without the token, 405 to another method, and GET shows null before the first shadowing", async () => {
    const e = recorderEnv();
    const router = newIsolate();
    expect((await sendSettled(router, e, adminRequest("POST", "/admin/shadow", { sample: 1 }, null))).status).toBe(401);
    const put = await sendSettled(router, e, adminRequest("PUT", "/admin/shadow", { sample: 1 }));
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, POST, DELETE");
    expect(await (await sendSettled(router, e, adminRequest("GET", "/admin/shadow"))).json()).toEqual({ shadow: null });
    expect(await (await sendSettled(router, e, adminRequest("DELETE", "/admin/shadow"))).json()).toEqual({ shadow: null });
  });
});
