/**
 * The Docker engine as npm run test:containers drives it: `docker` and
 * `docker compose` runs (argv only, never a shell), `docker inspect` parsed
 * with zod, health from the engine's own probe log, container logs as JSON
 * lines. Every call is bounded in time.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { REPO_ROOT } from "../../helpers/model-server.js";

/** The compose files of the project under test: the real one, then the drills' additions. */
export const COMPOSE_FILES = [path.join(REPO_ROOT, "docker-compose.yml"), path.join(REPO_ROOT, "test/containers/compose.drills.yml")];
/** Label put on every container the tests start outside compose (docker run --rm), so teardown can find leftovers. */
export const RUN_LABEL = "bluegreen-edge.test-run";
/** The compose services of the project under test that have a healthcheck. */
export const SERVICES = ["blue", "green", "router", "receiver"] as const;
/** The containers that hold each colour's address (network namespace) for its model server. */
export const ADDRESS_HOLDERS = ["blue-net", "green-net"] as const;
export type Service = (typeof SERVICES)[number] | (typeof ADDRESS_HOLDERS)[number];

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `docker …`; resolves with its exit code and output (never rejects on a non-zero exit). */
export function docker(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      "docker",
      args,
      { cwd: REPO_ROOT, env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : -1;
        resolve({ code, stdout, stderr: err !== null && code === -1 ? `${stderr}${String(err)}` : stderr });
      },
    );
  });
}

/** Like docker(), but throws with the command's stderr on a non-zero exit. */
export async function dockerOk(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
  const r = await docker(args, opts);
  if (r.code !== 0) throw new Error(`docker ${args.join(" ")} exited ${r.code}: ${r.stderr.trim().slice(-2_000)}`);
  return r.stdout;
}

/** `docker compose` arguments for project `project` with both compose files. */
export function composeArgs(project: string, ...args: string[]): string[] {
  return ["compose", "-p", project, ...COMPOSE_FILES.flatMap((f) => ["-f", f]), ...args];
}

/** The container compose names for `service` (one replica). */
export function containerName(project: string, service: Service): string {
  return `${project}-${service}-1`;
}

const HealthLogEntry = z.object({ Start: z.string(), End: z.string(), ExitCode: z.number() });
const Inspect = z.object({
  Name: z.string(),
  State: z.object({
    Status: z.string(),
    Running: z.boolean(),
    Pid: z.number(),
    ExitCode: z.number(),
    StartedAt: z.string(),
    FinishedAt: z.string(),
    Health: z.object({ Status: z.string(), Log: z.array(HealthLogEntry).nullable() }).optional(),
  }),
  RestartCount: z.number(),
  HostConfig: z.object({ Init: z.boolean().nullable().optional() }),
  Config: z.object({ StopTimeout: z.number().nullable().optional() }),
});
export type ContainerInfo = z.infer<typeof Inspect>;

/** `docker inspect` of containers that exist (missing names are left out, not an error). */
export async function inspectContainers(names: string[]): Promise<ContainerInfo[]> {
  const r = await docker(["inspect", "--type", "container", ...names], { timeoutMs: 15_000 });
  if (r.stdout.trim() === "") return [];
  return z.array(Inspect).parse(JSON.parse(r.stdout));
}

/** `docker inspect` of one container that must exist. */
export async function inspectContainer(name: string): Promise<ContainerInfo> {
  const [info] = await inspectContainers([name]);
  if (info === undefined) throw new Error(`container ${name} does not exist`);
  return info;
}

/** When the engine's probe first passed, as Unix ms (the End of the first exit-0 entry in its log), or null. */
export function firstPassedAt(info: ContainerInfo): number | null {
  const passed = (info.State.Health?.Log ?? []).filter((e) => e.ExitCode === 0).map((e) => Date.parse(e.End));
  return passed.length === 0 ? null : Math.min(...passed);
}

/** Waits until the engine shows `name` running and healthy; answers when that was seen (Unix ms). */
export async function waitHealthy(name: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [info] = await inspectContainers([name]);
    if (info?.State.Running && info.State.Health?.Status === "healthy") return Date.now();
    if (Date.now() > deadline) throw new Error(`${name} not healthy after ${timeoutMs} ms: ${JSON.stringify(info?.State ?? "missing")}`);
    await sleep(200);
  }
}

/** A container's log lines that parse as JSON objects (the model server logs JSON lines), in `ts` order across stdout and stderr. */
export async function jsonLogLines(name: string): Promise<Array<Record<string, unknown>>> {
  const r = await docker(["logs", name], { timeoutMs: 15_000 });
  const lines: Array<Record<string, unknown>> = [];
  for (const line of `${r.stdout}\n${r.stderr}`.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (value !== null && typeof value === "object" && !Array.isArray(value)) lines.push(value as Record<string, unknown>);
    } catch {
      // Not a JSON line (the launcher's progress lines); skipped.
    }
  }
  // Stable sort: lines of one stream keep their order; the streams interleave by their ISO timestamps.
  return lines.sort((a, b) => String(a.ts ?? "").localeCompare(String(b.ts ?? "")));
}

/** Whole seconds of a compose duration like "15s" or "1m30s", as ms. */
export function durationMs(text: string): number {
  const m = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim());
  if (m === null || (m[1] === undefined && m[2] === undefined)) throw new Error(`not a compose duration: ${text}`);
  return (Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 1000;
}
