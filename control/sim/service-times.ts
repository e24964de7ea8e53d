/**
 * The per-call service times the simulation's servers use, measured in local
 * workerd by measure/measure-service-time.ts and committed in
 * service-times.json with the date and machine. `--service-ms` overrides
 * the controller's figure (e.g. 1 ms: Cloudflare's soft limit of about
 * 1,000 requests/s per object).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/** Where the measured figures live. */
export const SERVICE_TIMES_FILE = fileURLToPath(new URL("./service-times.json", import.meta.url));

const ms = z.number().nonnegative();

export const ServiceTimesSchema = z.object({
  measuredAt: z.string(),
  machine: z.object({ cpu: z.string(), nproc: z.int(), os: z.string(), node: z.string(), load: z.array(z.number()) }),
  method: z.string(),
  /** DeploymentController.report() of an isolate's report (2 buckets). */
  controllerReportMs: ms,
  /** The same with a relay's merged batch (8 buckets): what a forward costs the controller. */
  controllerForwardMs: ms,
  /** getRoutingState(): a refresh without outcomes. */
  controllerStateMs: ms,
  /** The metric windows' storage write, at most once a second (added to the first report of each second). */
  controllerSaveMs: ms,
  /** A relay taking one isolate's sync (RelayCore in a Durable Object). */
  relaySyncMs: ms,
  /** The controller's cost per relay it pushes a changed state to. */
  pushPerTargetMs: ms,
});
export type ServiceTimes = z.infer<typeof ServiceTimesSchema>;

/** The committed measurement. */
export function loadServiceTimes(file: string = SERVICE_TIMES_FILE): ServiceTimes {
  return ServiceTimesSchema.parse(JSON.parse(readFileSync(file, "utf8")));
}
