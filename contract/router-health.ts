/**
 * The router's own GET /health and GET /ready answers: the active colour's
 * health for anyone, and with the admin token what the routing state says
 * besides. 200 when the active colour is healthy, 503 otherwise.
 */
import * as z from "zod/mini";
import { Color } from "./colors.js";
import { HealthStatus, Phase } from "./routing.js";
import "./zod-messages.js";

/** The anonymous answer. */
export const RouterHealth = z.strictObject({
  status: HealthStatus,
  active: Color,
});
export type RouterHealth = z.infer<typeof RouterHealth>;

/** The answer with the admin token. */
export const RouterHealthAdmin = z.strictObject({
  ...RouterHealth.shape,
  epoch: z.int().check(z.nonnegative()),
  phase: Phase,
  reason: z.string(),
  updatedAt: z.int().check(z.nonnegative()),
  health: z.strictObject({ blue: HealthStatus, green: HealthStatus }),
});
export type RouterHealthAdmin = z.infer<typeof RouterHealthAdmin>;
