/**
 * zod schemas for what crosses the controller's RPC boundary: isolates'
 * telemetry reports, flip/rollback commands and probe results. The admin
 * API validates client bodies separately (admin/schemas.ts); this is the
 * controller checking its own callers.
 */
import { z } from "zod";
import { COLORS } from "../telemetry-types.js";

/** The report's envelope; each bucket is checked (and a bad one dropped) by MetricWindows.add. */
export const TelemetryReportSchema = z.object({
  isolateId: z.string().max(100),
  buckets: z.array(z.unknown()).max(10_000),
});

const actor = z.string().min(1).max(64);
const reason = z.string().max(500).optional();
const metrics = z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])).optional();

export const FlipCommandSchema = z.object({
  to: z.enum(COLORS),
  reason,
  expectedEpoch: z.number().int().nonnegative().optional(),
  force: z.boolean().optional(),
  actor,
  kind: z.enum(["manual", "auto"]).optional(),
  metrics,
});

export const RollbackCommandSchema = z.object({
  reason,
  expectedEpoch: z.number().int().nonnegative().optional(),
  force: z.boolean().optional(),
  actor,
  kind: z.enum(["manual", "auto"]).optional(),
  metrics,
});

export const ProbeResultSchema = z.object({
  ok: z.boolean(),
  at: z.number().int().nonnegative(),
  version: z.string().max(200).optional(),
  digest: z.string().max(200).optional(),
  error: z.string().max(500).optional(),
});

/** Parses an RPC argument; a bad one is the caller's bug, thrown as a TypeError that survives RPC. */
export function parseRpc<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new TypeError(`invalid ${what}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
