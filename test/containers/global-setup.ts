/**
 * Global setup of npm run test:containers: checks the engine, builds the
 * images under a per-run tag, starts docker-compose.yml (+ the drills'
 * compose.drills.yml) as project `bgtest-<random>` on free 127.0.0.1 ports
 * with tokens of its own, and measures the build, the start and each
 * service's readiness (State.StartedAt → the engine's first passing probe)
 * by polling `docker inspect` while compose starts them. It always tears
 * down — after the run, when the setup itself fails, and on SIGINT/SIGTERM
 * (Ctrl-C) — with `docker compose down -v --remove-orphans` and removal of
 * the run's images, then fails if any container, network, volume or image of
 * the run is left. The compose logs are kept in test-artifacts/.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { TestProject } from "vitest/node";
import { parse } from "yaml";
import { REPO_ROOT } from "../helpers/model-server.js";
import { freePort } from "../helpers/stack.js";
import { RUN_LABEL, SERVICES, composeArgs, containerName, docker, dockerOk, durationMs, firstPassedAt, inspectContainers, type Service } from "./helpers/docker.js";
import { composeEnv, type ContainersRun } from "./helpers/run.js";

const BUILD_TIMEOUT_MS = 15 * 60_000;
const UP_TIMEOUT_MS = 5 * 60_000;
const DOWN_TIMEOUT_MS = 2 * 60_000;
type Identity = Pick<ContainersRun, "project" | "imageTag" | "ports" | "adminToken" | "originToken" | "images">;

const log = (line: string) => console.log(`[containers] ${line}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Distinct free loopback ports for the four published services. */
async function freePorts(): Promise<ContainersRun["ports"]> {
  const ports = new Set<number>();
  while (ports.size < 4) ports.add(await freePort());
  const [blue, green, router, receiver] = [...ports] as [number, number, number, number];
  return { blue, green, router, receiver };
}

/** Each service's healthcheck start_period, from the merged compose config the engine runs. */
async function startPeriods(id: Identity): Promise<Record<Service, number>> {
  const config = parse(await dockerOk(composeArgs(id.project, "config"), { env: composeEnv(id) })) as {
    services: Record<string, { healthcheck?: { start_period?: string } }>;
  };
  return Object.fromEntries(
    SERVICES.map((s) => {
      const period = config.services[s]?.healthcheck?.start_period;
      if (period === undefined) throw new Error(`service ${s} has no healthcheck start_period`);
      return [s, durationMs(period)];
    }),
  ) as Record<Service, number>;
}

/**
 * `docker compose up -d` while polling the containers, so each one's first
 * passing probe is read from the engine's health log before the log (five
 * entries) moves on; resolves once every service is healthy.
 */
async function upAndWatch(id: Identity): Promise<{ upMs: number; readiness: Record<Service, { startedAt: number; healthyAt: number }> }> {
  const names = SERVICES.map((s) => containerName(id.project, s));
  const seen: Partial<Record<Service, { startedAt: number; healthyAt: number }>> = {};
  const started = Date.now();
  let upDone = false;
  const up = docker(composeArgs(id.project, "up", "-d", "--no-build", "--pull", "never"), { env: composeEnv(id), timeoutMs: UP_TIMEOUT_MS }).finally(() => (upDone = true));
  while (Object.keys(seen).length < SERVICES.length) {
    for (const info of await inspectContainers(names)) {
      const service = SERVICES[names.indexOf(info.Name.replace(/^\//, ""))]!;
      const healthyAt = firstPassedAt(info);
      if (seen[service] === undefined && healthyAt !== null) seen[service] = { startedAt: Date.parse(info.State.StartedAt), healthyAt };
    }
    if (upDone) {
      const r = await up;
      if (r.code !== 0) throw new Error(`docker compose up exited ${r.code}: ${r.stderr.trim().slice(-3_000)}`);
    }
    if (Date.now() - started > UP_TIMEOUT_MS) throw new Error(`not every service became healthy within ${UP_TIMEOUT_MS} ms: healthy ${Object.keys(seen).join(", ") || "none"}`);
    await sleep(250);
  }
  const r = await up;
  if (r.code !== 0) throw new Error(`docker compose up exited ${r.code}: ${r.stderr.trim().slice(-3_000)}`);
  return { upMs: Date.now() - started, readiness: seen as Record<Service, { startedAt: number; healthyAt: number }> };
}

/** What of the run is still there: containers, networks, volumes and images carrying its project or tag. */
function leftovers(id: Identity): string[] {
  const list = (args: string[]) => {
    const r = spawnSync("docker", args, { encoding: "utf8", timeout: 30_000 });
    if (r.status !== 0) return [`(docker ${args.join(" ")} failed: ${(r.stderr ?? String(r.error)).trim()})`];
    return r.stdout.split("\n").filter((l) => l.trim() !== "");
  };
  const project = `label=com.docker.compose.project=${id.project}`;
  return [
    ...list(["ps", "-a", "--filter", project, "--format", "container {{.Names}}"]),
    ...list(["ps", "-a", "--filter", `label=${RUN_LABEL}=${id.project}`, "--format", "container {{.Names}}"]),
    ...list(["network", "ls", "--filter", project, "--format", "network {{.Name}}"]),
    ...list(["volume", "ls", "--filter", project, "--format", "volume {{.Name}}"]),
    ...Object.values(id.images).flatMap((image) => list(["image", "ls", "--format", "image {{.Repository}}:{{.Tag}}", image])),
  ];
}

/**
 * Tears the run down, synchronously (a signal handler cannot await): keeps
 * the logs, removes the project with its volumes and the run's images;
 * answers what is left.
 */
function teardown(id: Identity): string[] {
  const env = composeEnv(id);
  const logs = spawnSync("docker", composeArgs(id.project, "logs", "--no-color", "--timestamps"), { env, encoding: "utf8", timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
  if (logs.stdout) {
    const dir = path.join(REPO_ROOT, "test-artifacts");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${id.project}.log`), logs.stdout + (logs.stderr ?? ""));
  }
  const strays = listed(["ps", "-aq", "--filter", `label=${RUN_LABEL}=${id.project}`]);
  if (strays.length > 0) spawnSync("docker", ["rm", "-f", ...strays], { timeout: 60_000 });
  const down = spawnSync("docker", composeArgs(id.project, "down", "-v", "--remove-orphans", "--timeout", "20"), { env, encoding: "utf8", timeout: DOWN_TIMEOUT_MS });
  if (down.status !== 0) log(`docker compose down exited ${down.status}: ${(down.stderr ?? "").trim().slice(-1_000)}`);
  spawnSync("docker", ["image", "rm", "-f", ...Object.values(id.images)], { encoding: "utf8", timeout: 60_000 });
  return leftovers(id);
}

function listed(args: string[]): string[] {
  const r = spawnSync("docker", args, { encoding: "utf8", timeout: 30_000 });
  return (r.stdout ?? "").split("\n").filter((l) => l.trim() !== "");
}

/** Vitest global setup: answers the teardown. */
export default async function setup(project: TestProject): Promise<() => void> {
  const engine = await docker(["info", "--format", "{{.ServerVersion}}"], { timeoutMs: 20_000 });
  if (engine.code !== 0) {
    throw new Error(`no Docker engine answers (docker info: ${engine.stderr.trim() || engine.code}). Run \`sudo ../shared/tools/container-engine\` first.`);
  }
  const suffix = randomBytes(4).toString("hex");
  const projectName = `bgtest-${suffix}`;
  const id: Identity = {
    project: projectName,
    imageTag: projectName,
    images: {
      modelServer: `bluegreen-edge/model-server:${projectName}`,
      router: `bluegreen-edge/router:${projectName}`,
      receiver: `bluegreen-edge/test-receiver:${projectName}`,
    },
    ports: await freePorts(),
    adminToken: randomBytes(24).toString("hex"),
    originToken: randomBytes(24).toString("hex"),
  };
  log(`project ${id.project} (engine ${engine.stdout.trim()}), ports on 127.0.0.1: router ${id.ports.router}, blue ${id.ports.blue}, green ${id.ports.green}, receiver ${id.ports.receiver}`);

  let tornDown = false;
  const tearDownOnce = (): string[] => {
    if (tornDown) return [];
    tornDown = true;
    return teardown(id);
  };
  // Ctrl-C: tear down before vitest's own handler ends the process, then exit as a signal would.
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: tearing down ${id.project}`);
    const left = tearDownOnce();
    log(left.length > 0 ? `left behind: ${left.join(", ")}` : `torn down: nothing of ${id.project} is left`);
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.prependListener("SIGINT", onSignal);
  process.prependListener("SIGTERM", onSignal);
  const finish = () => {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    const left = tearDownOnce();
    if (left.length > 0) {
      // Vitest reports an error thrown by a global teardown but still exits 0: fail the run explicitly.
      process.exitCode = 1;
      throw new Error(`the run left these behind: ${left.join(", ")}`);
    }
    log(`torn down: no container, network, volume or image of ${id.project} is left`);
  };

  try {
    const buildStarted = Date.now();
    await dockerOk(composeArgs(id.project, "build"), { env: composeEnv(id), timeoutMs: BUILD_TIMEOUT_MS });
    const buildMs = Date.now() - buildStarted;
    log(`images built in ${seconds(buildMs)} (${Object.values(id.images).join(", ")})`);
    const periods = await startPeriods(id);
    const { upMs, readiness } = await upAndWatch(id);
    const [loadAverage = 0] = loadavg();
    log(`compose up: every service healthy ${seconds(upMs)} after \`docker compose up\` (load average ${loadAverage.toFixed(1)})`);
    const run: ContainersRun = {
      ...id,
      buildMs,
      upMs,
      loadAverage,
      cpus: availableParallelism(),
      readiness: Object.fromEntries(SERVICES.map((s) => [s, { ...readiness[s], startPeriodMs: periods[s] }])) as ContainersRun["readiness"],
    };
    project.provide("containersRun", run);
  } catch (err) {
    try {
      finish();
    } catch (leftoverError) {
      log(String(leftoverError));
    }
    throw err;
  }
  return finish;
}
