/**
 * The pure decision of `rollout`'s watch: given the router's status after the
 * flip, is the bake still running, passed, rolled back, or taken over by
 * another flip? (Acting on it is commands/rollout.ts's job.)
 */
import type { Color } from "../../contract/colors.js";
import type { AdminStatus } from "../../contract/status.js";

export type BakeState = "baking" | "passed" | "rolled-back" | "superseded";

export interface BakeExpectation {
  target: Color;
  /** The epoch the rollout's flip produced. */
  flipEpoch: number;
}

/** Where the bake stands in `status`. */
export function assessBake(status: Pick<AdminStatus, "active" | "phase" | "epoch">, e: BakeExpectation): BakeState {
  if (status.active !== e.target || status.phase === "rolled_back") return "rolled-back";
  if (status.epoch !== e.flipEpoch) return "superseded";
  if (status.phase === "stable") return "passed";
  return "baking";
}
