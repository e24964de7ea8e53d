/**
 * What crosses the hops of the relayed protocol (docs/scale.md):
 *
 *   isolate ──sync──▶ relay (one per location and shard) ──forward──▶ controller
 *   controller ──push──▶ relay (on every change of the routing state)
 *
 * Plain types here; the RPC boundary validates them (zod) where the Worker
 * receives them.
 */
import type { RoutingState } from "../../../contract/routing.js";
import type { SequencedBatch } from "./report-batches.js";

/** An isolate's call to its relay: its unacknowledged batches (maybe none: a refresh). */
export interface IsolateSync {
  /** Random id of the isolate (for sequencing and shard choice, not for auth). */
  isolateId: string;
  batches: SequencedBatch[];
}

/** The relay's answer to an isolate. */
export interface RelayAnswer {
  /** The relay's routing state; null while a new relay has not heard from the controller yet (the isolate keeps its own). */
  state: RoutingState | null;
  /** The highest batch number of this isolate the relay has taken. */
  ackSeq: number;
  /** Relays in the isolate's location as the controller last said; null while the relay does not know. */
  shards: number | null;
}

/** A relay's call to the controller: its merged, numbered batches (maybe none: a refresh). */
export interface RelayForward {
  /** The relay's Durable Object name (relayName): where the controller pushes changes. */
  relay: string;
  /** Random id of this relay instance: a restarted relay numbers its batches from 1 again. */
  incarnation: string;
  colo: string;
  batches: SequencedBatch[];
  /** Isolates that synced with this relay recently (ISOLATE_ACTIVE_MS): the controller sizes the location's shards from them. */
  isolates: number;
}

/** The controller's answer to a relay: the state plus the relay's schedule. */
export interface ForwardAnswer {
  state: RoutingState;
  /** The highest batch number of this relay instance the controller has taken. */
  ackSeq: number;
  /** When the relay should forward next (backpressure: the controller keeps its own call rate near TARGET_FORWARDS_PER_SECOND). */
  forwardIntervalMs: number;
  /** A relay forwards early when the active colour's pending error rate is above this (the policy's MAX_ERROR_RATE). */
  earlyErrorRate: number;
  /** Relays the relay's location should use. */
  shards: number;
}
