/**
 * The state of the stack under test as the drills need it: the controller's
 * status through the published router port, a wait for what it shows, the
 * stack brought back to "every container running and healthy, both colours
 * healthy to the controller" before a drill, the active colour chosen, and
 * the alerts the receiver service got.
 */
import { admin, waitUntil } from "../../helpers/drill.js";
import { ADDRESS_HOLDERS, containerName, docker, inspectContainers, SERVICES, waitHealthy } from "./docker.js";
import { type ContainersRun, routerOf } from "./run.js";

export type Color = "blue" | "green";
export const other = (c: Color): Color => (c === "blue" ? "green" : "blue");

/** GET /admin/status through the published router port. */
export function status(run: ContainersRun): Promise<any> {
  return admin(routerOf(run), "GET", "/admin/status");
}

/** Waits until the controller shows `color` as `health`; answers the status and when it was first seen (Unix ms). */
export function controllerShows(run: ContainersRun, color: Color, health: "healthy" | "unhealthy", timeoutMs: number): Promise<{ status: any; at: number }> {
  return waitUntil(`the controller to show ${color} ${health}`, async () => {
    const s = await status(run).catch(() => undefined);
    return s?.colors?.[color]?.health?.status === health ? { status: s, at: Date.now() } : undefined;
  }, timeoutMs, 50);
}

/**
 * Before a drill: starts any container a previous drill left stopped, waits
 * until the engine shows all of them healthy and the controller shows both
 * colours healthy; answers the status.
 */
export async function stackReady(run: ContainersRun): Promise<any> {
  const names = SERVICES.map((s) => containerName(run.project, s));
  const all = [...ADDRESS_HOLDERS.map((s) => containerName(run.project, s)), ...names];
  const stopped = (await inspectContainers(all)).filter((c) => !c.State.Running).map((c) => c.Name.replace(/^\//, ""));
  if (stopped.length > 0) {
    const r = await docker(["start", ...stopped], { timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`docker start ${stopped.join(" ")}: ${r.stderr}`);
  }
  await Promise.all(names.map((n) => waitHealthy(n, 90_000)));
  await waitUntil("the router to answer", () => status(run).then((s) => s, () => undefined), 60_000, 200);
  await controllerShows(run, "blue", "healthy", 30_000);
  await controllerShows(run, "green", "healthy", 30_000);
  return status(run);
}

/** Makes `color` the active colour (a plain flip when it is not); answers the status. */
export async function ensureActive(run: ContainersRun, color: Color): Promise<any> {
  const s = await status(run);
  if (s.active === color) return s;
  await admin(routerOf(run), "POST", "/admin/flip", { to: color, reason: `container drill setup: ${color} active` });
  return status(run);
}

/** The alert texts the receiver service got (Slack-compatible {"text"} bodies), oldest first. */
export async function receivedAlerts(run: ContainersRun): Promise<Array<{ path: string; text: string; at: string }>> {
  const res = await fetch(`http://127.0.0.1:${run.ports.receiver}/received`, { signal: AbortSignal.timeout(5_000) });
  const { requests } = (await res.json()) as { requests: Array<{ path: string; body: string; at: string }> };
  return requests.map((r) => ({ path: r.path, at: r.at, text: (JSON.parse(r.body) as { text: string }).text }));
}


/**
 * What a drill that timed out saw last, for its error: the controller's
 * phase, epoch, verdict, health and windows on the active colour, and the
 * router container's last log lines (its controller and relays log there).
 */
export async function diagnosis(run: ContainersRun, logLines = 60): Promise<string> {
  const s = await status(run).catch((err: unknown) => ({ unreachable: String(err) }));
  const brief =
    "unreachable" in s
      ? `status unreachable: ${s.unreachable}`
      : JSON.stringify({
          active: s.active,
          phase: s.phase,
          epoch: s.epoch,
          verdict: s.verdict,
          autoRollbackArmed: s.autoRollbackArmed,
          health: { blue: s.colors?.blue?.health, green: s.colors?.green?.health },
          metrics: s.colors?.[s.active]?.metrics,
          nextAlarmAt: s.nextAlarmAt,
        });
  const logs = await docker(["logs", "--tail", String(logLines), containerName(run.project, "router")], { timeoutMs: 15_000 });
  return `${brief}\nrouter's last ${logLines} log lines:\n${logs.stdout}${logs.stderr}`;
}

/** waitUntil that, on timing out, adds diagnosis() to its error. */
export async function waitOrDiagnose<T>(run: ContainersRun, what: string, check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<T> {
  try {
    return await waitUntil(what, check, timeoutMs, everyMs);
  } catch (err) {
    throw new Error(`${String(err)}\n${await diagnosis(run)}`);
  }
}
