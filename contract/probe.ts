/**
 * What the DeploymentController records of each origin's /health answer on
 * its probes: kept per colour, shown in GET /admin/status.
 */
import * as z from "zod/mini";
import "./zod-messages.js";

/** One origin's answer to the controller's /health probe. */
export const OriginProbe = z.strictObject({
  url: z.string().check(z.maxLength(2_000)),
  ok: z.boolean(),
  /** HTTP status; null when no answer came (timeout, connect error). */
  status: z.nullable(z.int()),
  latencyMs: z.number().check(z.nonnegative()),
  version: z.optional(z.string().check(z.maxLength(200))),
  digest: z.optional(z.string().check(z.maxLength(200))),
  error: z.optional(z.string().check(z.maxLength(500))),
});
export type OriginProbe = z.infer<typeof OriginProbe>;

