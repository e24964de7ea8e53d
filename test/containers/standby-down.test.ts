// Container drill (e) (docs/drills.md "Containers"), the standby dies while
// idle, against the containers: with no traffic, `docker stop` of the standby
// colour's container makes the controller (probing every
// HEALTH_INTERVAL_SECONDS of compose.drills.yml) show it unhealthy within
// that interval + 2 s, sends one "standby … is unhealthy" alert to the
// webhook receiver service over the compose network, and a flip to it without
// `force` is refused 409 target_unhealthy (routing unchanged). `docker start`
// brings it back and the controller shows it healthy again. Figures printed
// with `[containers]`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminAnswer, waitUntil } from "../helpers/drill.js";
import { containerName, dockerOk, waitHealthy } from "./helpers/docker.js";
import { currentRun, drillVars, routerOf } from "./helpers/run.js";
import { type Color, controllerShows, other, receivedAlerts, stackReady, status } from "./helpers/stack-state.js";

const run = currentRun();
const HEALTH_INTERVAL_SECONDS = Number(drillVars().HEALTH_INTERVAL_SECONDS);
/** The drill's bound: one probe interval, plus 2 s for the probe and the status read. */
const SHOWN_WITHIN_MS = (HEALTH_INTERVAL_SECONDS + 2) * 1000;

describe("(e) the standby dies while idle", () => {
  beforeAll(async () => {
    await stackReady(run);
  });
  afterAll(async () => {
    await stackReady(run);
  });

  it(`is shown unhealthy within HEALTH_INTERVAL_SECONDS + 2 s, alerts the receiver, and cannot be flipped to without force`, async () => {
    expect(HEALTH_INTERVAL_SECONDS).toBeGreaterThan(0);
    const before = await status(run);
    const standby: Color = other(before.active);
    const name = containerName(run.project, standby);
    const alertsBefore = (await receivedAlerts(run)).length;

    const stopAt = Date.now();
    await dockerOk(["stop", name], { timeoutMs: 30_000 });
    const stoppedMs = Date.now() - stopAt;
    const shown = await controllerShows(run, standby, "unhealthy", SHOWN_WITHIN_MS + 10_000);
    const shownMs = shown.at - stopAt;
    const probeError = shown.status.colors[standby].health.error;

    const alert = await waitUntil("the standby alert at the receiver", async () => {
      const fresh = (await receivedAlerts(run)).slice(alertsBefore).filter((a) => a.text.includes(`standby ${standby} is unhealthy`));
      return fresh.length > 0 ? { ...fresh[0]!, seenAt: Date.now() } : undefined;
    }, 20_000, 100);

    const refused = await adminAnswer(routerOf(run), "POST", "/admin/flip", { to: standby, reason: "container drill: flip to a dead standby" });
    const after = await status(run);

    const startAt = Date.now();
    await dockerOk(["start", name], { timeoutMs: 30_000 });
    const healthyAt = await waitHealthy(name, 60_000);
    const back = await controllerShows(run, standby, "healthy", 30_000);

    console.log(
      `[containers] (e) standby ${standby} stopped while idle (docker stop took ${stoppedMs} ms): controller showed it unhealthy ${shownMs} ms after docker stop ` +
        `(bound ${SHOWN_WITHIN_MS} ms = HEALTH_INTERVAL_SECONDS ${HEALTH_INTERVAL_SECONDS} s + 2 s; probe: ${probeError}); ` +
        `alert at the receiver ${Date.parse(alert.at) - stopAt} ms after it ("${alert.text}"); flip to it without force: ${refused.status} ${refused.json?.error?.details?.reason}; ` +
        `docker start → engine healthy ${healthyAt - startAt} ms, controller healthy ${back.at - startAt} ms`,
    );
    expect(shownMs).toBeLessThanOrEqual(SHOWN_WITHIN_MS);
    // Refused at once (the address outlives the model server) or draining; never a probe timeout.
    expect(probeError).toMatch(/^(connect error|HTTP 503)/);
    expect(alert.path).toBe("/hooks/drill");
    expect(alert.text).toMatch(new RegExp(`^\\[bluegreen default\\] standby ${standby} is unhealthy`));
    expect(alert.text).not.toContain(run.adminToken);
    expect(alert.text).not.toContain(run.originToken);
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ error: { code: "conflict", details: { reason: "target_unhealthy", color: standby } } });
    expect({ active: after.active, epoch: after.epoch }).toEqual({ active: before.active, epoch: before.epoch });
    expect(back.status.colors[standby].health.status).toBe("healthy");
  });
});
