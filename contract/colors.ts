/**
 * The two colours of a deployment, defined once for every part: the router,
 * its controller, the CLI, the launcher and the dashboard.
 */
import * as z from "zod/mini";
import "./zod-messages.js";

export const COLORS = ["blue", "green"] as const;
/** A colour (schema and type). */
export const Color = z.enum(COLORS);
export type Color = (typeof COLORS)[number];

/** The other colour: the standby of `color`, the rollback target from it. */
export function otherColor(color: Color): Color {
  return color === "blue" ? "green" : "blue";
}
