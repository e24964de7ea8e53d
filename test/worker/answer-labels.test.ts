// Covers worker/src/answer-labels.ts (prediction telemetry) on the router in
// workerd, in front of a recorder origin answering scripted bytes
// (test/helpers/recorder-origin.ts `x-test-answer`): the client gets the
// origin's exact bytes in every case while the controller counts, for the
// colour that served it, a /predict answer's label and confidence bin; each
// item of a /predict/batch answer, an invalid item as unparseable; a 2xx
// that is not JSON, or not UTF-8, as unparseable; an answer streamed without
// a Content-Length (teed, counted under waitUntil); nothing for a non-2xx
// answer (an error already) or with LABEL_TELEMETRY=off; at most
// LABEL_MAX_PER_SECOND answers a second are read, the rest pass unread.
import { describe, expect, it } from "vitest";
import { controller, newIsolate, origins, predictRequest, send, slowWindowOnce, testEnv, waitFor } from "./helpers.js";

/** Base64 of a string's UTF-8 bytes, or of raw bytes. */
function base64(x: string | Uint8Array): string {
  const bytes = typeof x === "string" ? new TextEncoder().encode(x) : x;
  return btoa(String.fromCharCode(...bytes));
}

/** A deployment whose blue is the recorder origin, reporting every outcome at once. */
function recorderEnv(extra: Record<string, string> = {}): Env {
  return testEnv({ BLUE_ORIGINS: origins.TEST_RECORDER_A, FAILOVER: "off", ...extra });
}

function batchRequest(texts: string[], headers: Record<string, string>): Request {
  return new Request("https://router.test/predict/batch", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ texts }) });
}

/** Sends `request` answered by the origin with `answer`; answers the bytes the client got and its status, after the background work. */
async function through(e: Env, request: Request): Promise<{ status: number; bytes: Uint8Array }> {
  const sent = await send(newIsolate(), e, request);
  const bytes = new Uint8Array(await sent.res.arrayBuffer());
  await sent.settle();
  return { status: sent.res.status, bytes };
}

/**
 * Blue's label mix in the controller's slow window, once it holds `requests`
 * of blue's answers (slowWindowOnce: the relay forwards in the background)
 * and `predictions` labelled ones (a streamed answer's labels come later).
 */
async function blueMix(e: Env, requests: number, predictions = 0) {
  await slowWindowOnce(e, "blue", requests);
  return waitFor(`${predictions} labelled predictions of blue`, async () => {
    const mix = (await controller(e).status()).predictions.blue.slow;
    return mix.predictions >= predictions ? mix : undefined;
  });
}

const scripted = (answer: string | Uint8Array, more: Record<string, string> = {}) => ({ "x-test-answer": base64(answer), ...more });

describe("prediction telemetry on the traffic path", () => {
  it("a /predict answer: the client gets its exact bytes; its label and confidence bin are counted for blue", async () => {
    const e = recorderEnv();
    const answer = '{"prediction":"positive", "confidence":0.93,"model_version":"v7","extra":[1,2]}';
    const got = await through(e, predictRequest("good", scripted(answer)));
    expect(got.status).toBe(200);
    expect(new TextDecoder().decode(got.bytes)).toBe(answer);
    const mix = await blueMix(e, 1, 1);
    expect(mix).toMatchObject({ predictions: 1, labels: [{ label: "positive", count: 1, share: 1 }], other: 0, unparseable: 0 });
    expect(mix.confidence[9]).toBe(1);
  });

  it("a /predict/batch answer: one count per item, an invalid item as unparseable, no confidence bin without confidence", async () => {
    const e = recorderEnv();
    const answer = JSON.stringify({
      predictions: [
        { prediction: "positive", confidence: 0.55, model_version: "v7" },
        { prediction: "negative", model_version: "v7" },
        { prediction: "neutral" },
      ],
    });
    const got = await through(e, batchRequest(["a", "b", "c"], scripted(answer)));
    expect(new TextDecoder().decode(got.bytes)).toBe(answer);
    const mix = await blueMix(e, 1, 3);
    expect(mix.predictions).toBe(3);
    expect(mix.unparseable).toBe(1);
    expect(mix.labels.map((l) => [l.label, l.count]).sort()).toEqual([["negative", 1], ["positive", 1]]);
    expect(mix.confidence.reduce((a, b) => a + b, 0)).toBe(1);
    expect(mix.confidence[5]).toBe(1);
  });

  it("a batch answer with fewer items than texts: every text unparseable", async () => {
    const e = recorderEnv();
    await through(e, batchRequest(["a", "b"], scripted(JSON.stringify({ predictions: [{ prediction: "positive", model_version: "v7" }] }))));
    expect(await blueMix(e, 1, 2)).toMatchObject({ predictions: 2, unparseable: 2, labels: [] });
  });

  it("a 2xx that is not JSON, and one that is not UTF-8: unparseable, bytes unchanged", async () => {
    const e = recorderEnv();
    const notJson = await through(e, predictRequest("x", scripted("<html>ok</html>")));
    expect(new TextDecoder().decode(notJson.bytes)).toBe("<html>ok</html>");
    const latin1 = new Uint8Array([...new TextEncoder().encode('{"prediction":"caf'), 0xe9, ...new TextEncoder().encode('","model_version":"v7"}')]);
    const notUtf8 = await through(e, predictRequest("x", scripted(latin1)));
    expect([...notUtf8.bytes]).toEqual([...latin1]);
    expect(await blueMix(e, 2, 2)).toMatchObject({ predictions: 2, unparseable: 2, labels: [] });
  });

  it("an answer streamed without a Content-Length: the client's stream is untouched, the copy counted in the background", async () => {
    const e = recorderEnv();
    const answer = '{"prediction":"negative","confidence":0.12,"model_version":"v7"}';
    const got = await through(e, predictRequest("x", scripted(answer, { "x-test-stream": "1" })));
    expect(new TextDecoder().decode(got.bytes)).toBe(answer);
    const mix = await blueMix(e, 1, 1);
    expect(mix).toMatchObject({ predictions: 1, labels: [{ label: "negative", count: 1 }] });
    expect(mix.confidence[1]).toBe(1);
  });

  it("a non-2xx answer is an error, not a prediction: nothing counted", async () => {
    const e = recorderEnv();
    const got = await through(e, predictRequest("x", { "x-test-status": "503" }));
    expect(got.status).toBe(503);
    expect((await blueMix(e, 1)).predictions).toBe(0);
    expect((await controller(e).status()).metrics.blue.slow.errors.http5xx).toBe(1);
  });

  it("LABEL_MAX_PER_SECOND=1: one answer a second is read, the others pass through unread and unchanged", async () => {
    const e = recorderEnv({ LABEL_MAX_PER_SECOND: "1" });
    const answer = '{"prediction":"positive","model_version":"v7"}';
    const router = newIsolate();
    const startSecond = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 6; i++) {
      const sent = await send(router, e, predictRequest("x", scripted(answer)));
      expect(await sent.res.text()).toBe(answer);
      await sent.settle();
    }
    const seconds = Math.floor(Date.now() / 1000) - startSecond + 1;
    const counted = (await blueMix(e, 6, 1)).predictions;
    expect(counted).toBeGreaterThanOrEqual(1);
    expect(counted).toBeLessThanOrEqual(seconds);
    expect(counted).toBeLessThan(6);
    expect((await controller(e).status()).metrics.blue.slow.requests).toBe(6);
  });

  it("LABEL_TELEMETRY=off reads nothing; the answer is the same", async () => {
    const e = recorderEnv({ LABEL_TELEMETRY: "off" });
    const answer = '{"prediction":"positive","confidence":0.93,"model_version":"v7"}';
    const got = await through(e, predictRequest("x", scripted(answer)));
    expect(new TextDecoder().decode(got.bytes)).toBe(answer);
    expect((await blueMix(e, 1)).predictions).toBe(0);
    expect((await controller(e).status()).metrics.blue.slow.requests).toBe(1);
  });
});
