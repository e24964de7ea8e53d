/**
 * One run of npm run test:containers as the global setup describes it to the
 * test files (vitest provide/inject): the compose project's name, its image
 * tag, the 127.0.0.1 ports it published, the tokens it generated, and what
 * it measured while building and starting. Also the environment every
 * `docker compose` call of the run needs (the compose files require the
 * tokens and ports), and the drills' router policy read from
 * compose.drills.yml.
 */
import { readFileSync } from "node:fs";
import { inject } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import type { AdminTarget } from "../../helpers/drill.js";
import { COMPOSE_FILES, composeArgs, docker, type RunResult } from "./docker.js";

const Ms = z.number().int().nonnegative();
const Readiness = z.object({
  /** State.StartedAt of the container (Unix ms). */
  startedAt: z.number(),
  /** End of the engine's first passing probe (Unix ms). */
  healthyAt: z.number(),
  /** The service's healthcheck start_period, ms. */
  startPeriodMs: Ms,
});
export const ContainersRun = z.object({
  project: z.string().regex(/^bgtest-[0-9a-f]+$/),
  imageTag: z.string().min(1),
  images: z.object({ modelServer: z.string(), router: z.string(), receiver: z.string() }),
  ports: z.object({ blue: z.number(), green: z.number(), router: z.number(), receiver: z.number() }),
  adminToken: z.string().min(16),
  originToken: z.string().min(16),
  buildMs: Ms,
  upMs: Ms,
  /** os.loadavg()[0] and the CPU count when compose up finished: the start times depend on them. */
  loadAverage: z.number(),
  cpus: z.number(),
  readiness: z.object({ blue: Readiness, green: Readiness, router: Readiness, receiver: Readiness }),
});
export type ContainersRun = z.infer<typeof ContainersRun>;

declare module "vitest" {
  interface ProvidedContext {
    containersRun: ContainersRun;
  }
}

/** Settings a developer's shell may carry that must not reach the project under test. */
const SCRUBBED = [
  "ADMIN_TOKEN", "ORIGIN_TOKEN", "ALERT_WEBHOOK_URL", "BLUE_PORT", "GREEN_PORT", "ROUTER_PORT", "RECEIVER_PORT", "FAULT_CONTROL", "BLUEGREEN_IMAGE_TAG",
  "COMPOSE_FILE", "COMPOSE_PROJECT_NAME", "COMPOSE_PROFILES", "COMPOSE_ENV_FILES", "DOCKER_DEFAULT_PLATFORM",
];

/** The environment of every `docker compose` call of a run: the variables docker-compose.yml and compose.drills.yml read. */
export function composeEnv(run: Pick<ContainersRun, "imageTag" | "ports" | "adminToken" | "originToken">): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of SCRUBBED) delete env[key];
  return {
    ...env,
    BLUEGREEN_IMAGE_TAG: run.imageTag,
    ADMIN_TOKEN: run.adminToken,
    ORIGIN_TOKEN: run.originToken,
    BLUE_PORT: String(run.ports.blue),
    GREEN_PORT: String(run.ports.green),
    ROUTER_PORT: String(run.ports.router),
    RECEIVER_PORT: String(run.ports.receiver),
    // PUT /fault on both model servers: drill (c) slows the active colour to have requests in flight.
    FAULT_CONTROL: "1",
  };
}

/** Runs `docker compose …` for this run's project. */
export function compose(run: ContainersRun, args: string[], timeoutMs = 120_000): Promise<RunResult> {
  return docker(composeArgs(run.project, ...args), { env: composeEnv(run), timeoutMs });
}

/** The run the global setup started (throws when the file runs without it). */
export function currentRun(): ContainersRun {
  return ContainersRun.parse(inject("containersRun"));
}

/** The router's published address and the run's admin token, for test/helpers/drill.ts's admin calls and load. */
export function routerOf(run: ContainersRun): AdminTarget {
  return { url: `http://127.0.0.1:${run.ports.router}`, adminToken: run.adminToken };
}

/** A model server's published address. */
export function colorUrl(run: ContainersRun, color: "blue" | "green"): string {
  return `http://127.0.0.1:${run.ports[color]}`;
}

/** The drills' router vars (`--var KEY=VALUE` in compose.drills.yml), e.g. HEALTH_INTERVAL_SECONDS. */
export function drillVars(): Record<string, string> {
  const vars: Record<string, string> = {};
  const argv = routerCommands().drills;
  argv.forEach((arg, i) => {
    if (arg !== "--var") return;
    const item = argv[i + 1] ?? "";
    vars[item.slice(0, item.indexOf("="))] = item.slice(item.indexOf("=") + 1);
  });
  return vars;
}

/** The router's command in docker-compose.yml and in compose.drills.yml. */
export function routerCommands(): { compose: string[]; drills: string[] } {
  const [main, drills] = COMPOSE_FILES.map((f) => parse(readFileSync(f, "utf8"), { merge: true }) as { services: { router: { command: string[] } } });
  return { compose: main!.services.router.command, drills: drills!.services.router.command };
}
