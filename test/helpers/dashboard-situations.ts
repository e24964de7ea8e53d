/**
 * Deployment situations with the actions the admin API accepts in each, for
 * the dashboard's rules (worker/dashboard/status-rules.ts):
 * test/dashboard/status-rules.test.ts checks that the dashboard offers
 * exactly these, test/worker/dashboard/status-rules.pure.test.ts that the
 * controller's planFlip/planRollback accept exactly these. Plain data,
 * typed by the rules' own view of the status (an AdminStatus is one), so
 * both the node and the workerd tests can import it.
 */
import { otherColor, type Color } from "../../contract/colors.js";
import type { HealthStatus, Phase } from "../../contract/routing.js";
import type { StatusFacts } from "../../worker/dashboard/status-rules.js";

/** The part of GET /admin/status the dashboard's rules read. */
export type StatusView = StatusFacts;
export type Health = HealthStatus;
export type Verdict = NonNullable<StatusView["verdict"]>;

/** The error a failed probe of the standby reports in these situations. */
export const PROBE_ERROR = "HTTP 503";

/** A status answer: `active` healthy, the standby as given. */
export function statusView(active: Color, epoch: number, phase: Phase, standbyHealth: Health = "healthy", verdict: Verdict | null = null): StatusView {
  const side = (color: Color) => {
    const status = color === active ? "healthy" : standbyHealth;
    return { health: { status, error: status === "unhealthy" ? PROBE_ERROR : null } };
  };
  return { active, standby: otherColor(active), epoch, phase, colors: { blue: side("blue"), green: side("green") }, verdict };
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
