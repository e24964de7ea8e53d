/**
 * The controller's side of the relayed protocol (docs/scale.md), pure: it
 * takes each relay's numbered batches exactly once, remembers which relays
 * it heard from (the push list for a changed routing state), sets the relays'
 * forward interval so that its own call rate stays near
 * TARGET_FORWARDS_PER_SECOND however many relays there are (backpressure),
 * and sizes each location's relay shards from the isolates its relays
 * report. The Durable Object calls accept() in its forward RPC, adds the
 * fresh batches to its windows, judges, and answers with its routing state;
 * it stores toJSON() with its windows, so a restarted controller still knows
 * which batches its windows hold (fromJSON).
 */
import * as z from "zod/mini";
import type { ForwardAnswer, RelayForward } from "../relay/relay-messages.js";
import { InboundSequences, type SequencedBatch } from "../relay/report-batches.js";

/** The controller's aim for relay forwards per second (its budget is 250 calls/s; while a colour starts failing, early forwards add about 75: relay-core.ts EARLY_FORWARD_WINDOW_MS). */
export const TARGET_FORWARDS_PER_SECOND = 100;
/** Forward interval bounds: never more often than isolates sync today, never so rarely that a quiet relay's state ages. */
export const MIN_FORWARD_INTERVAL_MS = 1_000;
export const MAX_FORWARD_INTERVAL_MS = 10_000;
/** A relay heard within this many forward intervals (and at least ACTIVE_MIN_MS) is active: counted for the rate and pushed to. */
export const ACTIVE_INTERVALS = 2;
export const ACTIVE_MIN_MS = 3_000;
/** A location gets one relay shard per this many isolates (≈ 250 isolate syncs/s each, ≲ 1,000 — the DO soft limit — while a failing colour makes isolates sync early). */
export const TARGET_ISOLATES_PER_RELAY = 250;
export const MAX_RELAY_SHARDS = 64;
/** A location's shard count changes at most this often (isolates moving between shards are briefly counted twice). */
export const RESHARD_MIN_INTERVAL_MS = 10_000;
/** Relays not heard from in this long are forgotten. */
const FORGET_RELAY_AFTER_MS = 10 * 60_000;

interface RelaySeen {
  colo: string;
  isolates: number;
  atMs: number;
}

/** The shard count a location should have: up at once past TARGET_ISOLATES_PER_RELAY each, down only well below (no flapping). */
export function nextShards(current: number, isolates: number): number {
  const wanted = Math.min(MAX_RELAY_SHARDS, Math.max(1, Math.ceil(isolates / TARGET_ISOLATES_PER_RELAY)));
  if (wanted > current) return wanted;
  if (wanted < current && isolates <= TARGET_ISOLATES_PER_RELAY * (current - 1) * 0.75) return wanted;
  return current;
}

/**
 * The forward interval that keeps `activeRelays` near TARGET_FORWARDS_PER_SECOND,
 * never below `floorMs` (the Worker's REPORT_INTERVAL_MS: relays report no
 * more often than isolates do; MIN_FORWARD_INTERVAL_MS with the default).
 */
export function forwardIntervalFor(activeRelays: number, floorMs: number = MIN_FORWARD_INTERVAL_MS): number {
  const ms = Math.ceil((1000 * activeRelays) / TARGET_FORWARDS_PER_SECOND);
  return Math.min(Math.max(MAX_FORWARD_INTERVAL_MS, floorMs), Math.max(floorMs, ms));
}

/** Relay instances whose batch numbers are remembered (the least recently heard are forgotten first). */
const MAX_RELAY_INSTANCES = 10_000;

const whole = z.int().check(z.nonnegative());
/** The stored form (toJSON/fromJSON): the relays heard, the locations' shard counts, each relay instance's highest batch number. */
export const RelayRegistryJSONSchema = z.object({
  version: z.literal(1),
  intervalMs: whole,
  /** Least recently heard first; `atMs`: when last heard (Unix ms). */
  relays: z.array(z.object({ relay: z.string(), colo: z.string(), isolates: whole, atMs: whole })),
  shards: z.array(z.object({ colo: z.string(), shards: z.int().check(z.gte(1)), changedAtMs: whole })),
  /** `sender`: "<relay>#<incarnation>"; `seq`: the highest batch number taken from it. */
  seqs: z.array(z.object({ sender: z.string(), seq: whole, atMs: whole })),
});
export type RelayRegistryJSON = z.infer<typeof RelayRegistryJSONSchema>;

/** The relays one controller hears from, their batch numbers, and the schedule it gives them. */
export class RelayRegistry {
  readonly #seqs = new InboundSequences({ maxSenders: MAX_RELAY_INSTANCES });
  readonly #relays = new Map<string, RelaySeen>();
  readonly #shards = new Map<string, { shards: number; changedAtMs: number }>();
  #intervalMs = MIN_FORWARD_INTERVAL_MS;

  /** A registry as toJSON() stored it (the caller checks the shape: stored-shapes.ts). */
  static fromJSON(json: RelayRegistryJSON): RelayRegistry {
    const registry = new RelayRegistry();
    registry.#intervalMs = json.intervalMs;
    for (const { relay, colo, isolates, atMs } of json.relays) registry.#relays.set(relay, { colo, isolates, atMs });
    for (const { colo, shards, changedAtMs } of json.shards) registry.#shards.set(colo, { shards: Math.min(shards, MAX_RELAY_SHARDS), changedAtMs });
    for (const { sender, seq, atMs } of json.seqs) registry.#seqs.remember(sender, seq, atMs);
    return registry;
  }

  /** Everything a restarted controller needs to count each batch once and keep its relays' schedule. */
  toJSON(): RelayRegistryJSON {
    return {
      version: 1,
      intervalMs: this.#intervalMs,
      relays: [...this.#relays].map(([relay, s]) => ({ relay, ...s })),
      shards: [...this.#shards].map(([colo, s]) => ({ colo, ...s })),
      seqs: this.#seqs.entries(),
    };
  }

  /**
   * Takes a relay's forward: answers the batches not taken before (the
   * caller must count each) and the answer's schedule fields. `earlyErrorRate`
   * is the policy's MAX_ERROR_RATE; `floorMs` the shortest interval to give
   * (the Worker's REPORT_INTERVAL_MS: forwardIntervalFor).
   */
  accept<B extends { seq: number } = SequencedBatch>(
    forward: Omit<RelayForward, "batches"> & { batches: readonly B[] },
    nowMs: number,
    earlyErrorRate: number,
    floorMs: number = MIN_FORWARD_INTERVAL_MS,
  ): { fresh: B[]; answer: Omit<ForwardAnswer, "state"> } {
    const { fresh, ackSeq } = this.#seqs.take(`${forward.relay}#${forward.incarnation}`, forward.batches, nowMs);
    this.#relays.delete(forward.relay);
    this.#relays.set(forward.relay, { colo: forward.colo, isolates: forward.isolates, atMs: nowMs });
    this.#forget(nowMs);
    this.#intervalMs = forwardIntervalFor(this.activeRelays(nowMs), floorMs);
    return {
      fresh,
      answer: { ackSeq, forwardIntervalMs: this.#intervalMs, earlyErrorRate, shards: this.#reshard(forward.colo, nowMs) },
    };
  }

  /** The interval given with the last answer. */
  get forwardIntervalMs(): number {
    return this.#intervalMs;
  }

  /** Relays heard within the active horizon. */
  activeRelays(nowMs: number): number {
    return this.pushTargets(nowMs).length;
  }

  /** The relays to push a changed routing state to: every active one, by Durable Object name. */
  pushTargets(nowMs: number): string[] {
    const since = nowMs - Math.max(ACTIVE_MIN_MS, ACTIVE_INTERVALS * this.#intervalMs);
    const out: string[] = [];
    for (const [relay, seen] of this.#relays) if (seen.atMs >= since) out.push(relay);
    return out;
  }

  /** The highest batch number taken from a relay instance. */
  takenSeq(relay: string, incarnation: string): number {
    return this.#seqs.seqOf(`${relay}#${incarnation}`);
  }

  /** The shard count of a location now. */
  shards(colo: string): number {
    return this.#shards.get(colo)?.shards ?? 1;
  }

  #reshard(colo: string, nowMs: number): number {
    const current = this.#shards.get(colo) ?? { shards: 1, changedAtMs: Number.NEGATIVE_INFINITY };
    if (nowMs - current.changedAtMs < RESHARD_MIN_INTERVAL_MS) return current.shards;
    const since = nowMs - Math.max(ACTIVE_MIN_MS, ACTIVE_INTERVALS * this.#intervalMs);
    let isolates = 0;
    for (const seen of this.#relays.values()) if (seen.colo === colo && seen.atMs >= since) isolates += seen.isolates;
    const shards = nextShards(current.shards, isolates);
    if (shards !== current.shards) this.#shards.set(colo, { shards, changedAtMs: nowMs });
    return shards;
  }

  #forget(nowMs: number): void {
    for (const [relay, seen] of this.#relays) {
      if (nowMs - seen.atMs <= FORGET_RELAY_AFTER_MS) break;
      this.#relays.delete(relay);
    }
  }
}
