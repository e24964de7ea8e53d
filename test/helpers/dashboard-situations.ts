/**
 * Deployment situations with the actions the admin API accepts in each, for
 * the dashboard's rules: test/dashboard/status-rules.test.ts checks that the
 * dashboard offers exactly these, test/worker/dashboard/status-rules.test.ts
 * that the controller's planFlip/planRollback accept exactly these. Plain
 * data, so both the node and the workerd tests can import it.
 */

export type Color = "blue" | "green";
export type Health = "unknown" | "healthy" | "unhealthy";
export type Phase = "stable" | "baking" | "rolled_back";

export interface Verdict {
  color: Color;
  epoch: number;
  verdict: "healthy" | "failed" | "inconclusive";
  reason: string;
}

/** The part of GET /admin/status the dashboard's rules read. */
export interface StatusView {
  active: Color;
  standby: Color;
  epoch: number;
  phase: Phase;
  colors: Record<Color, { health: { status: Health; error: string | null } }>;
  verdict: Verdict | null;
}

/** The error a failed probe of the standby reports in these situations. */
export const PROBE_ERROR = "HTTP 503";

/** A status answer: `active` healthy, the standby as given. */
export function statusView(active: Color, epoch: number, phase: Phase, standbyHealth: Health = "healthy", verdict: Verdict | null = null): StatusView {
  const standby: Color = active === "blue" ? "green" : "blue";
  const health = (status: Health) => ({ status, error: status === "unhealthy" ? PROBE_ERROR : null });
  const colors = { [active]: { health: health("healthy") }, [standby]: { health: health(standbyHealth) } } as StatusView["colors"];
  return { active, standby, epoch, phase, colors, verdict };
}

/** [name, status, the API accepts a flip to the standby, the API accepts a rollback] */
export const SITUATIONS: ReadonlyArray<readonly [string, StatusView, boolean, boolean]> = [
  ["first epoch, stable", statusView("blue", 1, "stable"), true, false],
  ["baking after a flip", statusView("green", 2, "baking"), true, true],
  ["stable after the bake", statusView("green", 2, "stable"), true, true],
  ["rolled back", statusView("blue", 3, "rolled_back"), true, false],
  ["baking, standby not probed yet", statusView("green", 2, "baking", "unknown"), true, true],
  ["baking, standby unhealthy", statusView("green", 2, "baking", "unhealthy"), false, false],
  ["first epoch, standby unhealthy", statusView("blue", 1, "stable", "unhealthy"), false, false],
  ["rolled back, standby unhealthy", statusView("blue", 3, "rolled_back", "unhealthy"), false, false],
];
