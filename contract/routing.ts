/**
 * The routing state of a deployment (docs/architecture.md "Routing state"):
 * the active colour, the epoch, the phase and each colour's health. The
 * DeploymentController holds it, KV keeps a copy, every isolate routes by
 * it, and the admin API and the router's /health show it.
 */
import * as z from "zod/mini";
import { Color } from "./colors.js";
import "./zod-messages.js";

export const PHASES = ["stable", "baking", "rolled_back"] as const;
/** stable ──flip──▶ baking ──(bake passed)──▶ stable; baking | stable ──rollback──▶ rolled_back ──flip──▶ baking. */
export const Phase = z.enum(PHASES);
export type Phase = z.infer<typeof Phase>;

/** A colour's health as its last probe found it; `unknown` before the first probe. */
export const HealthStatus = z.enum(["unknown", "healthy", "unhealthy"]);
export type HealthStatus = z.infer<typeof HealthStatus>;

const whole = z.int().check(z.nonnegative());

export const RoutingStateSchema = z.object({
  active: Color,
  /** Bumped by every flip and rollback; never goes down. */
  epoch: whole,
  phase: Phase,
  /** Unix ms of the last change (flip, rollback, bake end, health change). */
  updatedAt: whole,
  reason: z.string(),
  /** Last probe result per colour, so isolates know whether the standby may take a failover. */
  health: z.object({ blue: HealthStatus, green: HealthStatus }),
  /**
   * Set while the standby is shadowed (POST /admin/shadow): the share of
   * predictions mirrored to it, until when, and the epoch it belongs to. An
   * isolate mirrors only while `epoch` is the state's and `endsAt` is ahead,
   * so a flip, a rollback or the end reaches isolates as a flip does.
   */
  shadow: z.optional(z.object({ sample: z.number().check(z.gte(0), z.lte(1)), endsAt: whole, epoch: whole })),
});
export type RoutingState = z.infer<typeof RoutingStateSchema>;
