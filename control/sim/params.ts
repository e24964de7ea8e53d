/**
 * The simulation's defaults and flags, parsed with zod. Every default is
 * written once, here; `npm run sim:scale -- --help` lists them.
 */
import { z } from "zod";
import type { ServiceTimes } from "./service-times.js";
import type { SimParams } from "./model.js";

/** The sizes the tables cover. */
export const DEFAULT_SIZES = [10, 100, 1_000, 10_000, 50_000];

const list = z
  .string()
  .transform((s) => s.split(",").map((x) => Number(x.trim())))
  .pipe(z.array(z.int().min(1).max(200_000)).min(1));

export const FlagsSchema = z.strictObject({
  seed: z.coerce.number().int().min(0).max(2 ** 31 - 1).default(20261130),
  n: list.default(DEFAULT_SIZES),
  colos: z.coerce.number().int().min(1).max(1000).default(250),
  zipf: z.coerce.number().min(0).max(3).default(1),
  "rate-per-isolate": z.coerce.number().positive().max(100_000).default(100),
  "max-rate": z.coerce.number().positive().max(10_000_000).default(1_000_000),
  "tick-ms": z.coerce.number().int().min(10).max(1000).optional(),
  "service-ms": z.coerce.number().positive().max(1000).optional(),
  "relay-service-ms": z.coerce.number().positive().max(1000).optional(),
  "queue-limit": z.coerce.number().int().min(1).max(1_000_000).default(1_000),
  "wait-limit-ms": z.coerce.number().positive().max(60_000).default(1_000),
  loss: z.coerce.number().min(0).max(0.5).default(0.001),
  "base-error-rate": z.coerce.number().min(0).max(0.5).default(0.001),
  "fault-rate": z.coerce.number().min(0).max(1).default(0.3),
  protocols: z.enum(["both", "today", "relayed"]).default("both"),
  /** The relayed protocol without the controller's push (to show why it pushes). */
  "no-push": z.boolean().default(false),
  /** Runs at once on worker threads (results do not depend on it). */
  jobs: z.coerce.number().int().min(1).max(16).default(2),
  json: z.boolean().default(false),
});
export type Flags = z.infer<typeof FlagsSchema>;

/** The timeline every run follows (virtual ms). */
export const TIMELINE = {
  startSpreadMs: 2_000,
  steadyFromMs: 4_000,
  flipAtMs: 5_000,
  faultAtMs: 11_000,
  trafficEndMs: 15_000,
  endMs: 22_000,
} as const;

/** Isolate-ticks per virtual second the default tick keeps to (the run's cost): 100 ms up to 20,000 isolates, longer above. */
const TICKS_PER_SECOND_BUDGET = 200_000;

/** The default tick at `isolates`: 100 ms, lengthened in 50 ms steps above 20,000 isolates (250 ms at 50,000). */
export function defaultTickMs(isolates: number): number {
  return Math.max(100, Math.ceil((isolates * 1000) / TICKS_PER_SECOND_BUDGET / 50) * 50);
}

/** The parameters of one run at size `isolates`. */
export function paramsFor(flags: Flags, isolates: number, measured: ServiceTimes): SimParams {
  const controllerScale = flags["service-ms"] === undefined ? 1 : flags["service-ms"] / measured.controllerReportMs;
  return {
    seed: flags.seed,
    isolates,
    colos: flags.colos,
    zipf: flags.zipf,
    ratePerIsolate: flags["rate-per-isolate"],
    maxTotalRate: flags["max-rate"],
    tickMs: flags["tick-ms"] ?? defaultTickMs(isolates),
    flagTtlMs: 1_000,
    reportIntervalMs: 1_000,
    service: {
      // --service-ms sets the report's time; the controller's other calls keep their measured ratio to it.
      report: measured.controllerReportMs * controllerScale,
      forward: measured.controllerForwardMs * controllerScale,
      state: measured.controllerStateMs * controllerScale,
      save: measured.controllerSaveMs * controllerScale,
      relay: flags["relay-service-ms"] ?? measured.relaySyncMs,
      pushPerTarget: measured.pushPerTargetMs,
    },
    limits: { queueLimit: flags["queue-limit"], waitLimitMs: flags["wait-limit-ms"] },
    lossProbability: flags.loss,
    baseErrorRate: flags["base-error-rate"],
    faultRate: flags["fault-rate"],
    push: !flags["no-push"],
    timeline: { ...TIMELINE },
  };
}
