// Container drill (a) (docs/drills.md "Containers"), readiness: the compose
// project the global setup started (docker-compose.yml + compose.drills.yml)
// is compose's own stack — the drills' router command is docker-compose.yml's
// plus `--var`s — and every service became `healthy` within its healthcheck
// start_period, measured by the engine (State.StartedAt → End of its first
// passing probe); the router started only once blue and green were healthy
// (depends_on); traffic answers on the published 127.0.0.1 ports only.
// Figures printed with `[containers]`.
import { beforeAll, describe, expect, it } from "vitest";
import { ADDRESS_HOLDERS, containerName, dockerOk, inspectContainer, SERVICES } from "./helpers/docker.js";
import { currentRun, routerCommands, routerOf } from "./helpers/run.js";
import { stackReady } from "./helpers/stack-state.js";

const run = currentRun();
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

describe("(a) readiness", () => {
  beforeAll(async () => {
    await stackReady(run);
  });

  it("runs docker-compose.yml's router command, with only the drills' --var settings added", () => {
    const { compose, drills } = routerCommands();
    expect(drills.slice(0, compose.length)).toEqual(compose);
    const extra = drills.slice(compose.length);
    expect(extra.filter((_, i) => i % 2 === 0).every((flag) => flag === "--var")).toBe(true);
    expect(extra.length % 2).toBe(0);
  });

  it("every service is healthy within its start period; the router started after blue and green were healthy", async () => {
    const { blue, green, router } = run.readiness;
    const readyMs = (s: (typeof SERVICES)[number]) => run.readiness[s].healthyAt - run.readiness[s].startedAt;
    const colorsHealthyAt = Math.max(blue.healthyAt, green.healthyAt);
    console.log(
      `[containers] (a) readiness: images built in ${seconds(run.buildMs)}; every service healthy ${seconds(run.upMs)} after \`docker compose up\` ` +
        `(load average ${run.loadAverage.toFixed(1)} on ${run.cpus} CPUs); start → first passing probe: ` +
        `${SERVICES.map((s) => `${s} ${seconds(readyMs(s))} (start_period ${seconds(run.readiness[s].startPeriodMs)})`).join(", ")}; ` +
        `router started ${seconds(router.startedAt - colorsHealthyAt)} after the colours were healthy`,
    );
    for (const s of SERVICES) {
      expect(readyMs(s), `${s}: healthy ${readyMs(s)} ms after its start`).toBeGreaterThan(0);
      expect(readyMs(s), `${s}: healthy ${readyMs(s)} ms after its start, start_period ${run.readiness[s].startPeriodMs} ms`).toBeLessThanOrEqual(run.readiness[s].startPeriodMs);
    }
    expect(router.startedAt).toBeGreaterThanOrEqual(colorsHealthyAt);
    for (const s of [...SERVICES, ...ADDRESS_HOLDERS]) expect((await inspectContainer(containerName(run.project, s))).HostConfig.Init, `${s} runs with init: true`).toBe(true);
  });

  it("publishes every port on 127.0.0.1 only; the router answers predictions there, from the active colour", async () => {
    const publishers = { blue: "blue-net", green: "green-net", router: "router", receiver: "receiver" } as const;
    for (const [service, publisher] of Object.entries(publishers) as Array<[keyof typeof publishers, (typeof publishers)[keyof typeof publishers]]>) {
      const published = (await dockerOk(["port", containerName(run.project, publisher)])).trim().split("\n");
      expect(published, publisher).toEqual([expect.stringMatching(new RegExp(`-> 127\\.0\\.0\\.1:${run.ports[service]}$`))]);
    }
    const res = await fetch(`${routerOf(run).url}/predict`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "the containers start and answer" }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status).toBe(200);
    const color = res.headers.get("x-bluegreen-color");
    expect(((await res.json()) as { model_version: string }).model_version).toBe(color === "blue" ? "v1" : "v2");
  });
});
