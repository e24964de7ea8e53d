/**
 * The flip/rollback history as every admin answer shows it: one row per
 * change (GET /admin/history, the `entry` of flip and rollback, the status's
 * `lastFlip`, the timeline's markers).
 */
import * as z from "zod/mini";
import { Color } from "./colors.js";
import "./zod-messages.js";

/** An ISO 8601 time, as every admin answer writes times. */
export const IsoTime = z.string().check(z.refine((s) => Number.isFinite(Date.parse(s)), { message: "not a time" }));

export const KINDS = ["manual", "auto"] as const;
export type Kind = (typeof KINDS)[number];
/** A flip or rollback, or a `repair`: the controller replaced a stored value it could not read (docs/storage.md). */
export const ACTIONS = ["flip", "rollback", "repair"] as const;
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
