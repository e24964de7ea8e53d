/**
 * The dashboard's reading of GET /admin/status: which actions the admin API
 * would accept now, and how to label the last verdict. Pure functions of the
 * status answer, with no DOM and no Workers API, so the dashboard and its
 * tests run this very module: test/dashboard/status-rules.test.ts checks it
 * against the situations of test/helpers/dashboard-situations.ts, and
 * test/worker/dashboard/status-rules.test.ts holds the controller's
 * planFlip/planRollback to the same table.
 */
import type { Color } from "../../contract/colors.js";
import type { AdminStatus, ColorHealth, Verdict } from "../../contract/status.js";

/** INITIAL_EPOCH of worker/src/routing-state.ts, which needs the Workers types (test/worker/dashboard/status-rules.test.ts checks they agree). */
export const INITIAL_EPOCH = 1;

/** The part of the status answer the rules read (an `AdminStatus` is one). */
export interface StatusFacts extends Pick<AdminStatus, "active" | "standby" | "epoch" | "phase"> {
  colors: Record<Color, { health: Pick<ColorHealth, "status" | "error"> }>;
  verdict: Pick<Verdict, "color" | "epoch" | "verdict" | "reason"> | null;
}

/** Why the API would refuse each action now; null where it would accept it. */
export interface Refusals {
  flip: string | null;
  rollback: string | null;
}

/** The verdict line and how to show it. */
export interface VerdictLine {
  text: string;
  /** The verdict ("healthy", "failed", …), "" when there is none. */
  verdict: string;
  /** Whether it judged the active colour at the current epoch. */
  current: boolean;
}

/**
 * Why the admin API would refuse each action now, or null where it would
 * accept it: the rules of planFlip and planRollback
 * (worker/src/controller/transitions.ts) without "force". A rollback needs a
 * change to undo (not the first epoch, not phase rolled_back); both need
 * their target, the standby, not known to be unhealthy.
 */
export function refusals(s: StatusFacts): Refusals {
  const target = s.colors[s.standby];
  const unhealthy =
    target.health.status === "unhealthy" ? `${s.standby}'s last health probe failed${target.health.error ? ` (${target.health.error})` : ""}` : null;
  const rollback =
    s.phase === "rolled_back"
      ? `already rolled back to ${s.active}; flip to move traffic again`
      : s.epoch === INITIAL_EPOCH
        ? `nothing to roll back: ${s.active} has been active since the deployment began`
        : unhealthy;
  return { flip: unhealthy, rollback };
}

/**
 * The verdict line, labelled with the colour and epoch it judged. Right
 * after a flip or rollback the last verdict is still the previous colour's
 * until the controller judges the new one: it is shown as that, not as a
 * verdict on what is active now.
 */
export function verdictLine(s: StatusFacts): VerdictLine {
  const v = s.verdict;
  if (!v) return { text: "No verdict yet.", verdict: "", current: false };
  const judged = `${v.verdict} — ${v.reason}`;
  if (v.epoch === s.epoch) return { text: `Verdict on ${v.color}: ${judged}`, verdict: v.verdict, current: true };
  return {
    text: `No verdict on ${s.active} yet (epoch ${s.epoch}). The last one, on ${v.color} at epoch ${v.epoch}: ${judged}`,
    verdict: v.verdict,
    current: false,
  };
}
