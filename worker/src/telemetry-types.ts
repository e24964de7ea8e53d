/**
 * The shape of the batched outcome reports that isolates send to the
 * DeploymentController (DESIGN.md §3 "Telemetry"), and the latency histogram
 * both sides share. Counts are grouped by wall-clock second so the controller
 * can place them in its 1-second window buckets exactly.
 */
export const COLORS = ["blue", "green"] as const;
export type Color = (typeof COLORS)[number];

/** Upper bounds (ms, inclusive) of the latency histogram; one more bucket holds everything above the last. */
export const LATENCY_BUCKETS_MS = [
  2, 5, 10, 20, 35, 50, 75, 100, 150, 250, 400, 600, 1000, 1500, 2500, 5000, 10000, 30000,
] as const;

/** Error classes counted against a colour. */
export const ERROR_CLASSES = ["http5xx", "timeout", "connect"] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

export interface ColorCounts {
  /** Requests attempted on this colour (each origin attempt counts once). */
  requests: number;
  errors: Record<ErrorClass, number>;
  /** Counts per LATENCY_BUCKETS_MS bucket; length LATENCY_BUCKETS_MS.length + 1. */
  latency: number[];
}

export interface SecondBucket {
  /** Unix time in whole seconds at which the outcomes were observed. */
  second: number;
  color: Color;
  counts: ColorCounts;
}

export interface TelemetryReport {
  /** Random id of the reporting isolate (for debugging, not for auth). */
  isolateId: string;
  buckets: SecondBucket[];
}

/** Index of the histogram bucket that holds `ms`. */
export function latencyBucket(ms: number): number {
  const i = LATENCY_BUCKETS_MS.findIndex((upper) => ms <= upper);
  return i === -1 ? LATENCY_BUCKETS_MS.length : i;
}

/** An all-zero ColorCounts. */
export function emptyCounts(): ColorCounts {
  return {
    requests: 0,
    errors: { http5xx: 0, timeout: 0, connect: 0 },
    latency: new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0),
  };
}
