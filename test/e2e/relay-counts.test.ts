// Every prediction through the real router Worker (local workerd over HTTP,
// test/helpers/router.ts) reaches the controller's windows once, through the
// isolate's relay, with real model servers on loopback: rounds of
// back-to-back predictions with REPORT_INTERVAL_MS 0, so the relay forwards
// while its isolate syncs and its alarm sends the last outcomes of each
// round. A relay that lost its alarm kept a round's last outcomes until the
// next round's first sync: this counts each round within 2 s of its end.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, waitUntil } from "../helpers/drill.js";
import { type ModelServerHandle, startModelServer } from "../helpers/model-server.js";
import { type RouterHandle, startRouter } from "../helpers/router.js";

const ROUNDS = 5;
const PER_ROUND = 10;

let blue: ModelServerHandle;
let green: ModelServerHandle;
let router: RouterHandle;

beforeAll(async () => {
  [blue, green] = await Promise.all([startModelServer({ version: "v1" }), startModelServer({ version: "v2" })]);
  router = await startRouter({ blueOrigins: [blue.url], greenOrigins: [green.url], vars: { REPORT_INTERVAL_MS: "0" } });
}, 60_000);

afterAll(async () => {
  await router?.stop();
  await Promise.all([blue?.stop(), green?.stop()]);
});

/** Blue's requests in the controller's slow window (no flip: every second counts). */
async function blueCounted(): Promise<number> {
  return (await admin(router, "GET", "/admin/status")).colors.blue.metrics.slow.requests;
}

describe("predictions through the real router and its relay", () => {
  it(`each of ${ROUNDS} rounds of ${PER_ROUND} back-to-back predictions is counted exactly, within 2 s of the round's end`, async () => {
    let sent = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < PER_ROUND; i++) {
        const res = await fetch(`${router.url}/predict`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ text: `round ${round} prediction ${i}` }),
        });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        sent += 1;
      }
      const counted = await waitUntil(`${sent} predictions counted`, async () => ((await blueCounted()) >= sent ? blueCounted() : undefined), 2_000, 50);
      expect(counted).toBe(sent);
      await sleep(300); // the relay idle between rounds: its last forward came from its alarm
    }
    await sleep(500);
    expect(await blueCounted()).toBe(ROUNDS * PER_ROUND);
  }, 60_000);
});
