/**
 * What crosses the controller's RPC boundary besides the telemetry report
 * (contract/telemetry.ts): flip and rollback commands and probe results.
 * The admin API validates client bodies first (contract/admin.ts); this is
 * the controller checking its own callers. The types are the schemas'.
 */
import * as z from "zod/mini";
import { Color } from "../../../contract/colors.js";
import { OriginProbe } from "../../../contract/probe.js";
import { ShadowStartBody } from "../../../contract/shadow.js";

const actor = z.string().check(z.minLength(1), z.maxLength(64));
const reason = z.optional(z.string().check(z.maxLength(500)));
const epoch = z.optional(z.int().check(z.nonnegative()));

/** A caller's (manual) rollback. `kind` and `metrics` are the controller's own, so they are not accepted over RPC. */
export const RollbackCommandSchema = z.strictObject({
  reason,
  expectedEpoch: epoch,
  force: z.optional(z.boolean()),
  actor,
});

/** A caller's flip: a rollback's fields and the target colour. */
export const FlipCommandSchema = z.strictObject({ ...RollbackCommandSchema.shape, to: Color });

/** A caller's start of a shadowing (the admin API checked the body against contract/shadow.ts ShadowStartBody). */
export const ShadowStartCommandSchema = z.strictObject({ ...ShadowStartBody.shape, actor });

/** Who stops a shadowing. */
export const ShadowActorSchema = actor;

/** One origin's probe as stored and passed over RPC (unknown keys dropped, so older stored probes still read). */
const StoredOriginProbe = z.object(OriginProbe.shape);

/** A colour's probe result, from the alarm's probes or a caller of recordProbe. */
export const ProbeResultSchema = z.object({
  ok: z.boolean(),
  /** Unix ms of the probe. */
  at: z.int().check(z.nonnegative()),
  version: z.optional(z.string().check(z.maxLength(200))),
  digest: z.optional(z.string().check(z.maxLength(200))),
  /** Why the probe failed (status, timeout, connect error). */
  error: z.optional(z.string().check(z.maxLength(500))),
  /** The slowest origin's answer time. */
  latencyMs: z.optional(z.number().check(z.nonnegative())),
  /** Each origin's answer. */
  origins: z.optional(z.array(StoredOriginProbe).check(z.maxLength(100))),
});
/** The result of a colour's last /health probe (all origins of its pool). */
export type ProbeResult = z.infer<typeof ProbeResultSchema>;

/** Parses an RPC argument; a bad one is the caller's bug, thrown as a TypeError that survives RPC. */
export function parseRpc<T extends z.core.$ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = z.safeParse(schema, value);
  if (!parsed.success) throw new TypeError(`invalid ${what}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
