/**
 * Admin request schemas (DESIGN.md §5). Bodies are strict: unknown fields
 * are a 400, so a typo like "expectedEpcoh" cannot silently skip the
 * compare-and-set.
 */
import { z } from "zod";
import { CONTROLLER_ACTOR } from "../controller/state-store.js";
import { TIMELINE_MAX_MINUTES } from "../controller/timeline.js";
import { COLORS } from "../telemetry-types.js";

const reason = z.string().trim().min(1).max(500);

export const FlipBody = z.strictObject({
  to: z.enum(COLORS, { error: 'to must be "blue" or "green"' }),
  reason: reason.optional(),
  expectedEpoch: z.number().int().nonnegative().optional(),
  force: z.boolean().optional(),
});
export type FlipBody = z.infer<typeof FlipBody>;

/** Rollback takes the same optional guards as flip (an extension of §5's `{"reason"?}`). */
export const RollbackBody = z.strictObject({
  reason: reason.optional(),
  expectedEpoch: z.number().int().nonnegative().optional(),
  force: z.boolean().optional(),
});
export type RollbackBody = z.infer<typeof RollbackBody>;

export const HistoryQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** GET /admin/timeline?minutes= (the dashboard's chart range). */
export const TimelineQuery = z.object({
  minutes: z.coerce.number().int().min(1).max(TIMELINE_MAX_MINUTES).default(TIMELINE_MAX_MINUTES),
});

/**
 * Who is acting, from `x-bluegreen-actor` (the CLI sends the user name);
 * "admin" when absent. A label for the history, not an identity: anyone
 * with the admin token may write any name. `controller` and names starting
 * with `system` are reserved for the controller's own rows (automatic
 * rollbacks, repairs), so a caller cannot pass for it.
 */
export const Actor = z
  .string()
  .regex(/^[\w .@:+-]{1,64}$/, "x-bluegreen-actor: 1..64 of letters, digits, space and _.@:+-")
  .refine((name) => !isReservedActor(name), 'x-bluegreen-actor: "controller" and names starting with "system" are reserved')
  .default("admin");

/** Whether an actor name is the controller's own (case-insensitive, surrounding spaces ignored). */
export function isReservedActor(name: string): boolean {
  const n = name.trim().toLowerCase();
  return n === CONTROLLER_ACTOR || n.startsWith("system");
}

/** x-bluegreen-preview: the colour to send a preview request to. */
export const PreviewColor = z.enum(COLORS, { error: 'x-bluegreen-preview must be "blue" or "green"' });
