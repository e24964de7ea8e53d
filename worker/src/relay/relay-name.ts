/**
 * Which relay an isolate talks to (docs/scale.md): one relay Durable Object
 * per location (`request.cf.colo`), split into shards when the controller
 * finds more isolates in a location than one relay should serve. An isolate
 * picks its shard by a hash of its id, so the isolates of a location spread
 * evenly and each keeps its shard while the shard count stays.
 */

/** The location name used when a request carries no `cf.colo` (local workerd, tests). */
export const UNKNOWN_COLO = "local";

/** FNV-1a, 32 bits: a stable, well-spread hash of a short string. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The shard (0 … shards−1) of an isolate when its location has `shards` relays. */
export function shardOf(isolateId: string, shards: number): number {
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shards must be a whole number ≥ 1, got ${shards}`);
  return fnv1a(isolateId) % shards;
}

/** The Durable Object name of a relay: deployment, location and shard. */
export function relayName(deployment: string, colo: string, shard: number): string {
  return `${deployment}/relay/${colo || UNKNOWN_COLO}/${shard}`;
}
