/**
 * Which relay an isolate talks to (docs/scale.md): one relay Durable Object
 * per location (`request.cf.colo`), split into shards when the controller
 * finds more isolates in a location than one relay should serve. An isolate
 * picks its shard by a hash of its id, so the isolates of a location spread
 * evenly and each keeps its shard while the shard count stays.
 */

/** The location name used when a request carries no `cf.colo` (local workerd, tests). */
export const UNKNOWN_COLO = "local";

/** What a location name may be: Cloudflare's colos are three-letter IATA codes; anything else is UNKNOWN_COLO. */
const COLO = /^[A-Za-z0-9]{1,16}$/;
/** A relay's name: `<deployment>/relay/<colo>/<shard>` (deployment names never hold a slash: contract/worker-env.ts). */
const RELAY_NAME = /^([A-Za-z0-9_-]{1,63})\/relay\/([A-Za-z0-9]{1,16})\/(\d{1,3})$/;

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

/** The location of a request's `cf.colo`, or UNKNOWN_COLO when it has none that reads as one. */
export function coloOf(cf: unknown): string {
  const colo = typeof cf === "object" && cf !== null ? (cf as { colo?: unknown }).colo : undefined;
  return typeof colo === "string" && COLO.test(colo) ? colo : UNKNOWN_COLO;
}

/** A relay's name taken apart, or null when it is not one relayName() makes. */
export function parseRelayName(name: string | undefined): { deployment: string; colo: string; shard: number } | null {
  const m = name === undefined ? null : RELAY_NAME.exec(name);
  return m === null ? null : { deployment: m[1]!, colo: m[2]!, shard: Number(m[3]) };
}

/** The pattern of relay names (for the controller's check of a forward). */
export const RELAY_NAME_PATTERN = RELAY_NAME;
