/**
 * Builders for telemetry buckets and routing states in tests of the relayed
 * protocol (test/worker/relay/, test/worker/sync-schedule.pure.test.ts,
 * test/worker/controller/relay-registry.pure.test.ts). Pure: usable in workerd
 * and Node tests alike.
 */
import type { RoutingState } from "../../contract/routing.js";
import { type Color } from "../../contract/colors.js";
import { emptyCounts, latencyBucket, type SecondBucket } from "../../contract/telemetry.js";

/** A bucket of `requests` attempts on `color` in `second`, `errors` of them 5xx, all at 20 ms. */
export function bucket(second: number, color: Color, requests: number, errors = 0): SecondBucket {
  const counts = emptyCounts();
  counts.requests = requests;
  counts.errors.http5xx = errors;
  counts.latency[latencyBucket(20)] = requests;
  return { second, color, counts };
}

/** Total requests (and 5xx errors) of some buckets, optionally of one colour. */
export function totals(buckets: readonly SecondBucket[], color?: Color): { requests: number; errors: number } {
  let requests = 0;
  let errors = 0;
  for (const b of buckets) {
    if (color !== undefined && b.color !== color) continue;
    requests += b.counts.requests;
    errors += b.counts.errors.http5xx;
  }
  return { requests, errors };
}

/** A routing state with `active` at `epoch`, both colours healthy. */
export function routingState(active: Color, epoch: number, updatedAt = epoch): RoutingState {
  return { active, epoch, phase: "stable", updatedAt, reason: "test", health: { blue: "healthy", green: "healthy" } };
}
