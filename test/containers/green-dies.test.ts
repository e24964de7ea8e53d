// Container drill (b) (docs/drills.md "Containers"), green dies, against the
// containers: 50 predictions a second through the router's published port;
// flip to green (admin API, the run's own ADMIN_TOKEN), then `docker kill`
// the green container. The controller rolls back to blue within 3 s of the
// kill, no user request fails (the router fails over to blue meanwhile), and
// the controller shows green unhealthy; `docker start` brings green back and
// it is healthy again, to the engine and to the controller. Figures printed
// with `[containers]`.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, startLoad, summarize, waitUntil, type Sample } from "../helpers/drill.js";
import { containerName, dockerOk, inspectContainer, waitHealthy } from "./helpers/docker.js";
import { currentRun, drillVars, routerOf } from "./helpers/run.js";
import { controllerShows, ensureActive, stackReady, status, waitOrDiagnose } from "./helpers/stack-state.js";

const run = currentRun();
const RPS = 50;
const ROLLBACK_WITHIN_MS = 3_000;
const HEALTH_INTERVAL_SECONDS = Number(drillVars().HEALTH_INTERVAL_SECONDS);

describe("(b) green dies", () => {
  beforeAll(async () => {
    await stackReady(run);
    await ensureActive(run, "blue");
  });
  afterAll(async () => {
    await stackReady(run);
  });

  it("after docker kill of green under 50 req/s, routing is back on blue within 3 s with 0 failed requests", async () => {
    const router = routerOf(run);
    const green = containerName(run.project, "green");
    const load = startLoad(router.url, { perSecond: RPS, maxDurationMs: 60_000, timeoutMs: 10_000 });
    let samples: Sample[];
    let flip: any;
    let killAt = 0;
    let killedMs = 0;
    let rolledBack: any;
    try {
      await waitUntil("traffic on blue", async () => (load.samples.length >= RPS ? true : undefined), 10_000);
      flip = await admin(router, "POST", "/admin/flip", { to: "green", reason: "container drill: green dies" });
      expect(flip.state).toMatchObject({ active: "green", phase: "baking" });
      await waitUntil("traffic on green", async () => (load.samples.filter((s) => s.color === "green" && s.failover === null).length >= RPS ? true : undefined), 10_000);

      killAt = Date.now();
      await dockerOk(["kill", green], { timeoutMs: 20_000 });
      killedMs = Date.now() - killAt;
      rolledBack = await waitOrDiagnose(run, "the automatic rollback", async () => {
        const s = await status(run);
        return s.phase === "rolled_back" ? s : undefined;
      }, 20_000, 50).catch((err: unknown) => {
        const after = load.samples.filter((s) => s.sentAt >= killAt);
        const by = (s: Sample) => `${s.status}/${s.color}/${s.failover ?? "-"}`;
        const tally = new Map<string, number>();
        for (const sample of after) tally.set(by(sample), (tally.get(by(sample)) ?? 0) + 1);
        const counts = [...tally].map(([k, n]) => `${k} ×${n}`);
        throw new Error(`${String(err)}\nclients after the kill (status/colour/failover): ${counts.join(", ")}`);
      });
      await sleep(3_000);
    } finally {
      samples = await load.stop();
    }
    const seen = summarize(samples);
    const failed = samples.filter((s) => s.status !== 200);
    const { entries } = await admin(router, "GET", "/admin/history?limit=5");
    const rollback = entries[0];
    const decidedMs = Date.parse(rollback.at) - killAt;
    const plainBlue = samples.find((s) => s.sentAt >= killAt && s.color === "blue" && s.epoch === rollback.epoch && s.failover === null);
    const failovers = samples.filter((s) => s.sentAt >= killAt - 1_000 && s.failover !== null).length;
    const killed = await inspectContainer(green);
    const unhealthy = await controllerShows(run, "green", "unhealthy", (HEALTH_INTERVAL_SECONDS + 5) * 1000);

    const startAt = Date.now();
    await dockerOk(["start", green], { timeoutMs: 30_000 });
    const engineHealthyAt = await waitHealthy(green, 60_000);
    const healthyAgain = await controllerShows(run, "green", "healthy", 30_000);

    console.log(
      `[containers] (b) green dies: docker kill at 50 req/s (kill took ${killedMs} ms); rollback decided ${decidedMs} ms after the kill (${rollback.reason}); ` +
        `first plain blue answer at epoch ${rollback.epoch} ${plainBlue ? `${plainBlue.doneAt - killAt} ms` : "never"} after it; ` +
        `${seen.total} requests, ${failed.length} failed, ${failovers} served by failover; green after the kill: ${killed.State.Status} (exit ${killed.State.ExitCode}); ` +
        `controller showed green unhealthy (${unhealthy.status.colors.green.health.error}); docker start → engine healthy ${engineHealthyAt - startAt} ms, controller healthy ${healthyAgain.at - startAt} ms`,
    );
    expect(failed.slice(0, 3), `${failed.length} failed requests`).toEqual([]);
    expect(rollback).toMatchObject({ kind: "auto", action: "rollback", from: "green", to: "blue", epoch: flip.state.epoch + 1 });
    expect(rolledBack).toMatchObject({ active: "blue", epoch: flip.state.epoch + 1, phase: "rolled_back" });
    expect(decidedMs).toBeGreaterThan(0);
    expect(decidedMs).toBeLessThanOrEqual(ROLLBACK_WITHIN_MS);
    expect(plainBlue).toBeDefined();
    expect(killed.State.Running).toBe(false);
    expect(killed.State.ExitCode).toBe(137);
    expect(healthyAgain.status.colors.green.health.status).toBe("healthy");
    // Nothing flipped again on its own after the rollback.
    expect(samples.filter((s) => s.epoch !== null && s.epoch > flip.state.epoch + 1)).toEqual([]);
  });
});
