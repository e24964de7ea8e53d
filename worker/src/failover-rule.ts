/**
 * The failover decision of failover.ts as a pure function, so the scale
 * simulation (control/sim/) decides exactly as the router does: a failed
 * attempt on the active colour is tried once more on the standby only for a
 * counted (non-preview) request, with FAILOVER=standby, a body that can be
 * sent again, a standby not known unhealthy and one of its origins not
 * cooling down.
 */
import type { RoutingState } from "../../contract/routing.js";
import type { Color } from "../../contract/colors.js";

/** What the failover decision reads. */
export interface FailoverInput {
  state: RoutingState;
  /** The colour the failed attempt would fail over to. */
  standby: Color;
  failover: "standby" | "off";
  /** A preview request's colour: previews never fail over. */
  preview: Color | null;
  /** Whether the body can be sent a second time (buffered or absent). */
  replayable: boolean;
  /** Whether one of the standby's origins is not cooling down (PoolSet.available). */
  standbyAvailable: () => boolean;
}

/** Whether a failed attempt may be tried once more on the standby colour. */
export function mayFailover(input: FailoverInput): boolean {
  return (
    input.preview === null &&
    input.failover === "standby" &&
    input.replayable &&
    input.state.health[input.standby] !== "unhealthy" &&
    input.standbyAvailable()
  );
}
