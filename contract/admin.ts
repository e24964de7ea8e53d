/**
 * The admin API's requests (docs/architecture.md "Admin API"): the bodies of
 * POST /admin/flip and /admin/rollback, the queries of GET /admin/history and
 * /admin/timeline, the actor and preview headers, and why a command may be
 * refused. Bodies are strict: an unknown field is a 400, so a typo such as
 * "expectedEpcoh" cannot silently skip the compare-and-set. The answers are
 * in history.ts, status.ts and timeline.ts.
 */
import * as z from "zod/mini";
import { COLORS } from "./colors.js";
import { CONTROLLER_ACTOR } from "./history.js";
import "./zod-messages.js";

const reason = z.string().check(z.trim(), z.minLength(1), z.maxLength(500));
const epoch = z.int().check(z.nonnegative());

/** POST /admin/flip. `expectedEpoch`: refuse (409) unless the deployment is at this epoch; `force`: flip to a colour whose last probe failed. */
export const FlipBody = z.strictObject({
  to: z.enum(COLORS, { error: 'to must be "blue" or "green"' }),
  reason: z.optional(reason),
  expectedEpoch: z.optional(epoch),
  force: z.optional(z.boolean()),
});
export type FlipBody = z.infer<typeof FlipBody>;

/** POST /admin/rollback: the same optional guards as flip; an empty body is `{}`. */
export const RollbackBody = z.strictObject({
  reason: z.optional(reason),
  expectedEpoch: z.optional(epoch),
  force: z.optional(z.boolean()),
});
export type RollbackBody = z.infer<typeof RollbackBody>;

/** Width of one timeline bucket. */
export const TIMELINE_BUCKET_SECONDS = 5;
/** How far back the timeline reaches (GET /admin/timeline?minutes= at most). */
export const TIMELINE_MAX_MINUTES = 15;

/** Most history rows one GET /admin/history answers. */
export const MAX_HISTORY_LIMIT = 500;

/** A whole-number query parameter in [min, max], `fallback` when absent. */
function queryInt(min: number, max: number, fallback: number) {
  return z._default(z.pipe(z.coerce.number(), z.int().check(z.gte(min), z.lte(max))), fallback);
}

/** GET /admin/history?limit= (1..500, default 50). */
export const HistoryQuery = z.object({ limit: queryInt(1, MAX_HISTORY_LIMIT, 50) });

/** GET /admin/timeline?minutes= (the dashboard's chart range: 1..15, default 15). */
export const TimelineQuery = z.object({ minutes: queryInt(1, TIMELINE_MAX_MINUTES, TIMELINE_MAX_MINUTES) });

/** Whether an actor name is the controller's own (case-insensitive, surrounding spaces ignored). */
export function isReservedActor(name: string): boolean {
  const n = name.trim().toLowerCase();
  return n === CONTROLLER_ACTOR || n.startsWith("system");
}

/**
 * Who is acting, from `x-bluegreen-actor` (the CLI sends the user name);
 * "admin" when absent. A label for the history, not an identity: anyone
 * with the admin token may write any name. `controller` and names starting
 * with `system` are reserved for the controller's own rows, so a caller
 * cannot pass for it.
 */
export const Actor = z._default(
  z.string().check(
    z.regex(/^[\w .@:+-]{1,64}$/, "x-bluegreen-actor: 1..64 of letters, digits, space and _.@:+-"),
    z.refine((name) => !isReservedActor(name), 'x-bluegreen-actor: "controller" and names starting with "system" are reserved'),
  ),
  "admin",
);

/** x-bluegreen-preview: the colour to send a preview request to. */
export const PreviewColor = z.enum(COLORS, { error: 'x-bluegreen-preview must be "blue" or "green"' });

/** Why a flip or rollback was refused: a 409 `conflict` with `details.reason`. */
export const REFUSAL_REASONS = ["epoch_mismatch", "already_active", "target_unhealthy", "nothing_to_roll_back"] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];
