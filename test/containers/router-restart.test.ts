// Container drill (d) (docs/drills.md "Containers"), the router restarted
// mid-bake, against the containers: a flip starts a bake (BAKE_SECONDS 600 in
// compose.drills.yml), then `docker compose restart router` under 40 req/s.
// The router's KV and Durable Object live in the project's router-state
// volume, so phase, epoch, bake start and deadline and the history are the
// same afterwards, and traffic goes on to the same colour at the same epoch.
// The launcher got SIGTERM (it logs the stop, with the engine's timestamp)
// and the restart took less than its stop_grace_period. Requests fail only
// while the router is down: every failure got no answer at all (no HTTP
// error), ended after the SIGTERM and was sent before the router answered
// again — that window is measured (the launcher does not drain: requests in
// flight at the SIGTERM are cut, and counted). Figures printed with
// `[containers]`.
import { setTimeout as sleep } from "node:timers/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { admin, startLoad, waitUntil, type Sample } from "../helpers/drill.js";
import { containerName, docker, inspectContainer } from "./helpers/docker.js";
import { compose, currentRun, routerOf } from "./helpers/run.js";
import { other, stackReady } from "./helpers/stack-state.js";

const run = currentRun();
const RPS = 40;

/** What a restart must keep. */
function kept(status: any) {
  return { active: status.active, epoch: status.epoch, phase: status.phase, bake: { startedAt: status.bake?.startedAt, endsAt: status.bake?.endsAt } };
}

describe("(d) router restart mid-bake", () => {
  beforeAll(async () => {
    await stackReady(run);
  });

  it("docker compose restart router keeps phase, epoch, bake deadline and history; requests fail only while it is down", async () => {
    const router = routerOf(run);
    const name = containerName(run.project, "router");
    const graceMs = ((await inspectContainer(name)).Config.StopTimeout ?? 10) * 1000;
    const to = other((await admin(router, "GET", "/admin/status")).active);
    const load = startLoad(router.url, { perSecond: RPS, maxDurationMs: 90_000, timeoutMs: 5_000 });
    let samples: Sample[];
    let before: any;
    let beforeHistory: any[];
    let after: any;
    let end: any;
    let restartAt = 0;
    let restartMs = 0;
    let answersAgainAt = 0;
    try {
      await waitUntil("traffic", async () => (load.samples.length >= RPS ? true : undefined), 10_000);
      const flip = await admin(router, "POST", "/admin/flip", { to, reason: "container drill: restart mid-bake" });
      expect(flip.state).toMatchObject({ active: to, phase: "baking" });
      await sleep(2_000);
      before = await admin(router, "GET", "/admin/status");
      beforeHistory = (await admin(router, "GET", "/admin/history")).entries;

      restartAt = Date.now();
      const restart = await compose(run, ["restart", "router"], graceMs + 30_000);
      restartMs = Date.now() - restartAt;
      expect(restart.code, restart.stderr).toBe(0);
      answersAgainAt = await waitUntil("the router to answer again", async () => {
        const res = await fetch(`${router.url}/admin/status`, { headers: { authorization: `Bearer ${router.adminToken}` }, signal: AbortSignal.timeout(2_000) }).catch(() => null);
        return res?.status === 200 ? Date.now() : undefined;
      }, 60_000, 50);
      after = await admin(router, "GET", "/admin/status");
      await sleep(3_000);
      end = await admin(router, "GET", "/admin/status");
    } finally {
      samples = await load.stop();
    }
    const afterHistory = (await admin(router, "GET", "/admin/history")).entries;
    const logs = await docker(["logs", "--timestamps", name], { timeoutMs: 15_000 });
    // The engine's timestamp of the launcher's "SIGTERM: stopping …" line: when the router began going down.
    const sigtermLine = (logs.stdout + logs.stderr).split("\n").findLast((l) => l.includes("SIGTERM: stopping the router"));
    const sigtermAt = Date.parse(sigtermLine?.split(" ")[0] ?? "");

    const failed = samples.filter((s) => s.status !== 200);
    const firstFailed = failed[0];
    const lastFailed = failed.at(-1);
    const windowMs = firstFailed && lastFailed ? lastFailed.doneAt - firstFailed.sentAt : 0;
    const cutInFlight = failed.filter((s) => s.sentAt < sigtermAt).length;
    const afterRestart = samples.filter((s) => s.sentAt > answersAgainAt);
    // The controller still hears the traffic: predictions after the restart reach its slow window through
    // the restarted relay (one started by its own alarm once refused every sync).
    const countedAfter = end.colors[to].metrics.slow.requests - after.colors[to].metrics.slow.requests;
    console.log(
      `[containers] (d) router restarted mid-bake at ${RPS} req/s: docker compose restart took ${restartMs} ms (stop_grace_period ${graceMs} ms), ` +
        `the launcher got SIGTERM ${sigtermAt - restartAt} ms after the restart began and the router answered again ${answersAgainAt - sigtermAt} ms after that (router down); ` +
        `${samples.length} requests, ${failed.length} failed, all while it was down (failure window ${windowMs} ms; ${cutInFlight} of them in flight at the SIGTERM, cut); ` +
        `after: ${after.active} active · phase ${after.phase} · epoch ${after.epoch} · bake ends ${after.bake?.endsAt} (before: ${before.bake?.endsAt}) · ` +
        `history ${afterHistory.length} entries (before: ${beforeHistory.length}); ${afterRestart.length} answers after, all ${to} at epoch ${after.epoch}; ` +
        `${countedAfter} more counted by the controller in the 3 s after`,
    );
    expect(kept(before)).toMatchObject({ active: to, phase: "baking" });
    expect(kept(after)).toEqual(kept(before));
    expect(afterHistory).toEqual(beforeHistory);
    expect(sigtermAt, "the launcher logged the SIGTERM").toBeGreaterThanOrEqual(restartAt - 1_000);
    // Under stop_grace_period: the launcher stopped on SIGTERM, the engine never had to SIGKILL it.
    expect(restartMs).toBeLessThan(graceMs);
    // No HTTP error answers: a failure is a refused or cut connection, ended after the SIGTERM and sent before the router answered again.
    expect(failed.filter((s) => s.status !== null).slice(0, 3)).toEqual([]);
    expect(failed.filter((s) => s.doneAt < sigtermAt || s.sentAt > answersAgainAt).slice(0, 3)).toEqual([]);
    expect(afterRestart.length).toBeGreaterThan(RPS);
    expect(countedAfter).toBeGreaterThanOrEqual(RPS);
    expect(afterRestart.filter((s) => s.status !== 200 || s.color !== to || s.epoch !== before.epoch).slice(0, 3)).toEqual([]);
  });
});
