// Container drill (c) (docs/drills.md "Containers"), graceful stop, against
// the containers: the active colour's model server runs under docker-init
// (PID 1, `init: true`) with node as its child; its predictions are slowed to
// 1.5 s (PUT /fault on its published port) so that, at 30 req/s through the
// router, dozens are in flight when `docker stop` sends SIGTERM. Node logs
// the signal, drains (in_flight > 0), every prediction it logged while
// draining reached its client as a 200 from that colour (not a failover), it
// exits 0 well within stop_grace_period, and no client request fails (new
// ones go to the standby). Figures printed with `[containers]`.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setFault, startLoad, summarize, waitUntil, type Sample } from "../helpers/drill.js";
import { containerName, docker, dockerOk, inspectContainer, jsonLogLines } from "./helpers/docker.js";
import { colorUrl, currentRun, routerOf } from "./helpers/run.js";
import { type Color, stackReady } from "./helpers/stack-state.js";

const run = currentRun();
const LATENCY_MS = 1_500;
const RPS = 30;
const VERSION: Record<Color, string> = { blue: "v1", green: "v2" };

/** The container's processes as pid → command line, read from /proc inside it (the image has no ps). */
async function processes(name: string): Promise<Map<number, { ppid: number; cmdline: string }>> {
  const script = 'for p in /proc/[0-9]*; do echo "$(basename $p) $(cut -d" " -f4 $p/stat) $(tr "\\0" " " < $p/cmdline)"; done';
  const out = await dockerOk(["exec", name, "sh", "-c", script], { timeoutMs: 20_000 });
  const procs = new Map<number, { ppid: number; cmdline: string }>();
  for (const line of out.split("\n")) {
    const m = /^(\d+) (\d+) (.*)$/.exec(line.trim());
    if (m) procs.set(Number(m[1]), { ppid: Number(m[2]), cmdline: m[3]!.trim() });
  }
  return procs;
}

describe("(c) graceful stop", () => {
  let active: Color;
  beforeAll(async () => {
    active = (await stackReady(run)).active;
  });
  afterAll(async () => {
    await stackReady(run);
  });

  it("SIGTERM reaches node through docker-init: docker stop of the active colour completes every in-flight request", async () => {
    const name = containerName(run.project, active);
    const procs = await processes(name);
    const node = [...procs.entries()].find(([, p]) => p.cmdline.startsWith("node dist/model-server/main.js"));
    expect(procs.get(1)?.cmdline).toMatch(/^\/sbin\/docker-init -- node dist\/model-server\/main\.js/);
    expect(node?.[1].ppid).toBe(1);
    const graceMs = ((await inspectContainer(name)).Config.StopTimeout ?? 10) * 1000;

    await setFault(colorUrl(run, active), run.originToken, { latencyMs: LATENCY_MS });
    const load = startLoad(routerOf(run).url, { perSecond: RPS, maxDurationMs: 60_000, timeoutMs: 20_000, requestIdPrefix: `drill-c-${active}-` });
    let samples: Sample[];
    let stopAt = 0;
    let stopMs = 0;
    try {
      // Past the first 1.5 s the in-flight count is steady: about RPS × latency.
      await waitUntil("slow answers from the active colour", async () => (load.samples.filter((s) => s.color === active).length >= RPS ? true : undefined), 15_000);
      stopAt = Date.now();
      const stop = await docker(["stop", name], { timeoutMs: graceMs + 10_000 });
      stopMs = Date.now() - stopAt;
      expect(stop.code, stop.stderr).toBe(0);
      await sleep(2_000);
    } finally {
      samples = await load.stop();
    }

    const stopped = await inspectContainer(name);
    const lines = await jsonLogLines(name);
    const signalAt = lines.findLastIndex((l) => l.event === "signal");
    const tail = lines.slice(signalAt);
    const draining = tail.find((l) => l.event === "draining");
    const inFlight = Number(draining?.in_flight ?? 0);
    const drainedIds = tail.filter((l) => l.event === "request" && l.path === "/predict").map((l) => String(l.request_id));
    const byId = new Map(samples.map((s) => [`drill-c-${active}-${s.i}`, s]));
    const delivered = drainedIds.filter((id) => {
      const s = byId.get(id);
      return s?.status === 200 && s.color === active && s.failover === null && s.modelVersion === VERSION[active];
    });
    const seen = summarize(samples);
    const failed = samples.filter((s) => s.status !== 200);
    const failovers = samples.filter((s) => s.sentAt >= stopAt && s.failover !== null).length;

    console.log(
      `[containers] (c) graceful stop of the active colour ${active} at ${RPS} req/s with ${LATENCY_MS} ms predictions: docker stop took ${stopMs} ms ` +
        `(stop_grace_period ${graceMs} ms); node got ${tail[0]?.signal ?? "no signal"} via docker-init (PID 1), ${inFlight} requests in flight, ` +
        `${drainedIds.length} predictions finished while draining, ${delivered.length} of them reached their client as ${active}'s 200; ` +
        `exit ${stopped.State.ExitCode} (${tail.at(-1)?.event}); ${seen.total} requests, ${failed.length} failed, ${failovers} sent after the stop served by failover`,
    );
    expect(tail[0]).toMatchObject({ event: "signal", signal: "SIGTERM" });
    expect(inFlight).toBeGreaterThan(RPS / 2);
    expect(tail.map((l) => l.event)).toContain("drained");
    // The drain's own count of requests it had to cut, where the server logs one.
    expect(tail.find((l) => l.event === "drained")?.unfinished_requests_cut ?? 0).toBe(0);
    expect(tail.map((l) => l.event)).not.toContain("drain_timeout");
    expect(tail.at(-1)).toMatchObject({ event: "exit", code: 0 });
    expect(stopped.State.ExitCode).toBe(0);
    expect(stopMs).toBeLessThan(graceMs);
    // in_flight counts every request; one may be a health probe, which takes well under a millisecond.
    expect(drainedIds.length).toBeGreaterThanOrEqual(inFlight - 1);
    expect(delivered).toEqual(drainedIds);
    expect(failed.slice(0, 3), `${failed.length} failed requests`).toEqual([]);
  });
});
