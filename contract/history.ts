/**
 * The flip/rollback history as every admin answer shows it: one row per
 * change (GET /admin/history, the `entry` of flip and rollback, the status's
 * `lastFlip`, the timeline's markers), and the answers of POST /admin/flip,
 * /admin/rollback and GET /admin/history. Answers are strict: a client that
 * accepted shapes the router never sends would hide drift instead of
 * catching it.
 */
import * as z from "zod/mini";
import { Color } from "./colors.js";
import { Phase } from "./routing.js";
import "./zod-messages.js";

/** An ISO 8601 time, as every admin answer writes times. */
export const IsoTime = z.string().check(z.refine((s) => Number.isFinite(Date.parse(s)), { message: "not a time" }));

export const KINDS = ["manual", "auto"] as const;
export type Kind = (typeof KINDS)[number];
/**
 * A flip or rollback, or a `repair`: the controller replaced a stored value
 * it could not read (docs/storage.md); or a shadowing of the standby
 * (`from` the active colour, `to` the shadowed one) that started, or ended
 * with the shadow gate's verdict in its metrics.
 */
export const ACTIONS = ["flip", "rollback", "repair", "shadow_start", "shadow_end"] as const;
export type Action = (typeof ACTIONS)[number];

/** The actor of the controller's own history rows (automatic rollbacks, repairs). */
export const CONTROLLER_ACTOR = "controller";

/** Figures recorded with an automatic change (flat, structured-clone safe). */
export const Metrics = z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()]));
export type Metrics = z.infer<typeof Metrics>;

/** One row of the flip/rollback history. */
export const HistoryEntry = z.strictObject({
  /** ISO 8601 time of the change. */
  at: IsoTime,
  from: Color,
  to: Color,
  /** The epoch the change produced. */
  epoch: z.int().check(z.nonnegative()),
  kind: z.enum(KINDS),
  action: z.enum(ACTIONS),
  reason: z.string(),
  actor: z.string(),
  /** Window metrics that justified an automatic change (null for manual ones). */
  metrics: z.nullable(Metrics),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

/** The routing state as admin answers show it: times in ISO 8601, the standby named. */
export const StateView = z.strictObject({
  active: Color,
  standby: Color,
  epoch: z.int().check(z.nonnegative()),
  phase: Phase,
  updatedAt: IsoTime,
  reason: z.string(),
});
export type StateView = z.infer<typeof StateView>;

/** The answer of POST /admin/flip and /admin/rollback: the new state and the history row. */
export const CommandAnswer = z.strictObject({ state: StateView, entry: HistoryEntry });
export type CommandAnswer = z.infer<typeof CommandAnswer>;

/** The answer of GET /admin/history: rows newest first. */
export const HistoryAnswer = z.strictObject({ entries: z.array(HistoryEntry) });
export type HistoryAnswer = z.infer<typeof HistoryAnswer>;
