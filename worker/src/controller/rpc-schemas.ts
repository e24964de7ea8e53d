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

/**
 * A caller's flip. Callers are always manual: `kind` and `metrics` are the
 * controller's own (it measures the windows and decides automatic rollbacks
 * itself), so they are not accepted over RPC.
 */
export const FlipCommandSchema = z.strictObject({
  to: z.enum(COLORS),
  reason,
  expectedEpoch: z.number().int().nonnegative().optional(),
  force: z.boolean().optional(),
  actor,
});

/** A caller's (manual) rollback. */
export const RollbackCommandSchema = z.strictObject({
  reason,
  expectedEpoch: z.number().int().nonnegative().optional(),
  force: z.boolean().optional(),
  actor,
});

const OriginProbeSchema = z.object({
  url: z.string().max(2_000),
  ok: z.boolean(),
  status: z.int().nullable(),
  latencyMs: z.number().nonnegative(),
  version: z.string().max(200).optional(),
  digest: z.string().max(200).optional(),
  error: z.string().max(500).optional(),
});

/** A colour's probe result, from the alarm's probes or a caller of recordProbe. */
export const ProbeResultSchema = z.object({
  ok: z.boolean(),
  at: z.number().int().nonnegative(),
  version: z.string().max(200).optional(),
  digest: z.string().max(200).optional(),
  error: z.string().max(500).optional(),
  latencyMs: z.number().nonnegative().optional(),
  origins: z.array(OriginProbeSchema).max(100).optional(),
});

/** Parses an RPC argument; a bad one is the caller's bug, thrown as a TypeError that survives RPC. */
export function parseRpc<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new TypeError(`invalid ${what}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
