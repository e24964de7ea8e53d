/**
 * The shapes the simulation's parts share: its parameters, one simulated
 * isolate (the router's real RoutingCache and TelemetryBuffer), the running
 * tallies, and what a protocol (today's, or the relayed one) implements.
 */
import { RoutingCache } from "../../worker/src/routing-state.js";
import { TelemetryBuffer } from "../../worker/src/telemetry.js";
import type { OverloadLimits } from "./engine/server.js";

/** Service times in ms (service-times.json, or --service-ms for the controller's). */
export interface ServiceMs {
  report: number;
  forward: number;
  state: number;
  save: number;
  relay: number;
  pushPerTarget: number;
}

/** When things happen, virtual ms. */
export interface Timeline {
  /** Isolates start (cold) uniformly within [0, startSpreadMs). */
  startSpreadMs: number;
  /** An operator flips blue → green. */
  flipAtMs: number;
  /** Green starts failing `faultRate` of its attempts. */
  faultAtMs: number;
  /** Traffic stops; isolates and relays then only flush what they hold. */
  trafficEndMs: number;
  /** The run ends (everything should have reached the controller). */
  endMs: number;
  /** Calls/s and utilisation are averaged over [steadyFromMs, faultAtMs). */
  steadyFromMs: number;
}

export interface SimParams {
  seed: number;
  isolates: number;
  colos: number;
  zipf: number;
  ratePerIsolate: number;
  maxTotalRate: number;
  tickMs: number;
  flagTtlMs: number;
  reportIntervalMs: number;
  service: ServiceMs;
  limits: OverloadLimits;
  lossProbability: number;
  baseErrorRate: number;
  faultRate: number;
  /** Relayed protocol: the controller pushes a changed state to its relays (false: relays learn it on their next forward). */
  push: boolean;
  timeline: Timeline;
}

/** One simulated isolate: the router's own routing cache and telemetry buffer. */
export class SimIsolate {
  readonly cache = new RoutingCache();
  readonly buffer = new TelemetryBuffer();
  readonly id: string;
  readonly index: number;
  readonly colo: number;
  ready = false;

  constructor(index: number, colo: number) {
    this.index = index;
    this.colo = colo;
    this.id = `isolate-${index}`;
  }
}

/** Running tallies of one run. */
export class Tally {
  generated = { blue: 0, green: 0 };
  /** Client requests (predictions) served. */
  served = 0;
  syncs = 0;
  syncsRefused = 0;
  syncsLost = 0;
  forwards = 0;
  forwardsRefused = 0;
  forwardsLost = 0;
  pushes = 0;
  userErrorsFault = 0;
  userErrorsControlPlane = 0;
  failoverAbsorbed = 0;
  /** Wall time objects were kept active awaiting their own outgoing calls (relay forwards), ms. */
  awaitingMs = 0;
}

/** What the simulation asks of a protocol. */
export interface Protocol {
  /** A cold isolate has its first state (from KV). */
  start(isolate: SimIsolate, nowMs: number): void;
  /** Once per tick per ready isolate, after its traffic; `draining`: traffic has stopped (trailing flush only). */
  tick(isolate: SimIsolate, nowMs: number, draining: boolean): void;
  /** The operator's flip reaches the controller. */
  flip(nowMs: number): void;
  /** Requests taken from buffers but not yet counted by the controller, and requests dropped by age. */
  inTransit(): { pending: number; dropped: number };
  /** Per-relay figures, when the protocol has relays. */
  relays(): RelayFigures | null;
}

export interface RelayFigures {
  count: number;
  maxShards: number;
  arrivals: number[];
  refused: number;
  /** Calls refused per second, all relays. */
  refusedSeries: number[];
  /** Highest calls/s and busy share of any one relay in any second of the steady window. */
  peakCallsPerSecond: number;
  peakUtilisation: number;
  busyMs: number;
}
