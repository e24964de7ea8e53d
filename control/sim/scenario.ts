/**
 * One run: N isolates in C locations under one protocol, through the same
 * timeline — cold starts (KV first), steady traffic, an operator's flip
 * blue → green, a 30 % fault on green, traffic end, a drain — and what it
 * showed: controller calls/s and utilisation, refusals, flip convergence,
 * the rollback's decision time after the first failed prediction on green
 * (the evidence), user-visible errors, exactness of the counts, cost.
 */
import { mayFailover } from "../../worker/src/failover-rule.js";
import type { RoutingState } from "../../contract/routing.js";
import { otherColor, type Color } from "../../contract/colors.js";
import { EventLoop } from "./engine/event-loop.js";
import { Network } from "./engine/network.js";
import { Rng } from "./engine/rng.js";
import { maxOver, meanOver, percentile } from "./engine/stats.js";
import { ControllerNode } from "./controller-node.js";
import { SimIsolate, Tally, type Protocol, type RelayFigures, type SimParams } from "./model.js";
import { TodayProtocol } from "./protocol-before.js";
import { RelayedProtocol } from "./protocol-relayed.js";
import { drawTick, emptyTick, recordTick } from "./traffic.js";
import { buildWorld } from "./world.js";

export type ProtocolName = "today" | "relayed";

/** Groups of isolates ticking at evenly spread offsets within each tick. */
export const TICK_PHASES = 10;

/** Cloudflare's Workers Paid prices beyond the included usage (developers.cloudflare.com/durable-objects/platform/pricing/). */
export const PRICE_PER_MILLION_REQUESTS = 0.15;
export const PRICE_PER_MILLION_GB_SECONDS = 12.5;
/** Duration is billed for 128 MB per active object. */
export const OBJECT_GB = 0.128;

export interface Percentiles {
  p50: number | null;
  p99: number | null;
  max: number | null;
  /** Isolates that never got there before the run ended. */
  missing: number;
}

export interface RunResult {
  protocol: ProtocolName;
  isolates: number;
  totalRate: number;
  wallMs: number;
  events: number;
  controller: {
    callsMean: number;
    callsPeak: number;
    utilMean: number;
    utilPeak: number;
    refused: number;
    kinds: Record<string, number>;
    /** Per second of the run: calls arrived, calls refused, busy ms. */
    series: { calls: number[]; refused: number[]; busyMs: number[] };
  };
  relays: RelayFigures | null;
  /** Convergence from the flip's commit; when the operator's flip was committed (after it was first sent) and how often it was refused before. */
  flip: Percentiles & { committedAfterMs: number | null; refusedAttempts: number };
  rollback: { evidenceAtMs: number | null; decisionMs: number | null; convergence: Percentiles };
  errors: { controlPlane: number; fault: number; absorbed: number };
  syncs: { total: number; refused: number; lost: number; forwards: number; forwardsRefused: number; pushes: number };
  exact: { generated: number; counted: number; buffered: number; inTransit: number; dropped: number; duplicated: number };
  cost: { requestsPerMillion: number; gbSecondsPerMillion: number; dollarsPerMillion: number };
}

function spread(values: Float64Array, from: number | null): Percentiles {
  if (from === null) return { p50: null, p99: null, max: null, missing: values.length };
  const got: number[] = [];
  let missing = 0;
  for (const v of values) Number.isNaN(v) ? missing++ : got.push(v - from);
  return { p50: percentile(got, 0.5), p99: percentile(got, 0.99), max: percentile(got, 1), missing };
}

/** Runs one protocol at one size. */
export function runScenario(protocolName: ProtocolName, params: SimParams): RunResult {
  const wallStart = performance.now();
  const tl = params.timeline;
  const root = new Rng(params.seed);
  const world = buildWorld(root.fork(), params);
  const trafficRng = root.fork();
  const startRng = root.fork();
  const loop = new EventLoop();
  const ctx = { loop, net: new Network(root.fork()), lossProbability: params.lossProbability };
  const relayRng = root.fork();
  const tally = new Tally();
  const controller = new ControllerNode(ctx, params);
  const kvState = controller.model.state;
  const isolates = Array.from({ length: params.isolates }, (_, i) => new SimIsolate(i, world.isolateColo[i]!));
  const flipSeen = new Float64Array(params.isolates).fill(Number.NaN);
  const rollbackSeen = new Float64Array(params.isolates).fill(Number.NaN);
  let flip: { epoch: number; atMs: number } | null = null;
  let rollback: { epoch: number; atMs: number } | null = null;
  let evidenceAtMs: number | null = null;
  controller.onChange((change) => {
    if (change.kind === "flip") flip = { epoch: change.state.epoch, atMs: change.atMs };
    else rollback ??= { epoch: change.state.epoch, atMs: change.atMs };
  });
  const onState = (isolate: SimIsolate) => {
    const epoch = isolate.cache.state!.epoch;
    if (flip !== null && epoch >= flip.epoch && Number.isNaN(flipSeen[isolate.index]!)) flipSeen[isolate.index] = loop.now;
    if (rollback !== null && epoch >= rollback.epoch && Number.isNaN(rollbackSeen[isolate.index]!)) rollbackSeen[isolate.index] = loop.now;
  };
  const protocol: Protocol =
    protocolName === "today"
      ? new TodayProtocol(ctx, params, world, controller, tally, onState)
      : new RelayedProtocol(ctx, params, world, controller, tally, onState, relayRng);

  for (const isolate of isolates) {
    loop.at(startRng.uniform() * tl.startSpreadMs, () =>
      loop.after(ctx.net.delay("kv"), () => {
        // KV holds the deployment's state (written when it was created): a cold isolate serves from it.
        isolate.cache.accept(kvState, "kv");
        isolate.ready = true;
        protocol.start(isolate, loop.now);
      }),
    );
  }
  loop.at(tl.flipAtMs, () => protocol.flip(loop.now));

  const lambda = (world.ratePerIsolate * params.tickMs) / 1000;
  const outcome = emptyTick();
  // The router's failover rule, asked once per routing state (states are shared, immutable objects).
  const routes = new Map<RoutingState, { active: Color; standby: Color; failover: boolean }>();
  const standbyAvailable = () => true;
  const routeOf = (state: RoutingState) => {
    let route = routes.get(state);
    if (route === undefined) {
      const standby = otherColor(state.active);
      const failover = mayFailover({ state, standby, failover: "standby", preview: null, replayable: true, standbyAvailable });
      route = { active: state.active, standby, failover };
      routes.set(state, route);
    }
    return route;
  };
  // Isolates tick in TICK_PHASES groups spread over the tick, so their syncs are not all at the same instant.
  const tick = (group: SimIsolate[]) => {
    const now = loop.now;
    const draining = now >= tl.trafficEndMs;
    const faultOn = now >= tl.faultAtMs;
    for (const isolate of group) {
      if (!isolate.ready) continue;
      if (!draining) {
        const state = isolate.cache.state;
        if (state === null) {
          // Not reached while KV holds the state: a request with no routing state is the control plane's failure.
          tally.userErrorsControlPlane += drawTick(trafficRng, lambda, 0, 0, false, outcome).served;
          continue;
        }
        const { active, standby, failover } = routeOf(state);
        const pActive = faultOn && active === "green" ? params.faultRate : params.baseErrorRate;
        const pStandby = faultOn && standby === "green" ? params.faultRate : params.baseErrorRate;
        const t = drawTick(trafficRng, lambda, pActive, pStandby, failover, outcome);
        recordTick(isolate.buffer, active, standby, t, now);
        tally.served += t.served;
        tally.generated[active] += t.activeRequests;
        tally.generated[standby] += t.standbyRequests;
        tally.userErrorsFault += t.userErrors;
        tally.failoverAbsorbed += t.standbyRequests - t.standbyErrors;
        if (evidenceAtMs === null && faultOn && active === "green" && t.activeErrors > 0) evidenceAtMs = now;
      }
      protocol.tick(isolate, now, draining);
    }
    if (now + params.tickMs <= tl.endMs) loop.after(params.tickMs, () => tick(group));
  };
  const groups = Array.from({ length: TICK_PHASES }, (): SimIsolate[] => []);
  isolates.forEach((isolate, i) => groups[i % TICK_PHASES]!.push(isolate));
  groups.forEach((group, k) => loop.at(params.tickMs + (k * params.tickMs) / TICK_PHASES, () => tick(group)));
  loop.run(tl.endMs);

  const st = controller.server.stats;
  const from = Math.floor(tl.steadyFromMs / 1000);
  const faultSecond = Math.floor(tl.faultAtMs / 1000);
  const endTraffic = Math.floor(tl.trafficEndMs / 1000);
  let buffered = 0;
  for (const isolate of isolates) for (const b of isolate.buffer.take().buckets) buffered += b.counts.requests;
  const transit = protocol.inTransit();
  const generated = tally.generated.blue + tally.generated.green;
  const counted = controller.model.counted.blue + controller.model.counted.green;
  const relays = protocol.relays();
  const served = (s: typeof st) => s.arrivals.reduce((a, b) => a + b, 0) - s.refused.reduce((a, b) => a + b, 0);
  const relayAlarms = protocol instanceof RelayedProtocol ? protocol.alarms() : 0;
  const requests = served(st) + controller.kinds.alarm + (relays ? relays.arrivals.reduce((a, b) => a + b, 0) - relays.refused + relayAlarms : 0);
  const busyMs = st.busyMs.reduce((a, b) => a + b, 0) + (relays?.busyMs ?? 0) + tally.awaitingMs;
  const perMillion = 1e6 / Math.max(1, tally.served);
  const gbSeconds = (busyMs / 1000) * OBJECT_GB;
  const decided = rollback as { atMs: number } | null;
  return {
    protocol: protocolName,
    isolates: params.isolates,
    totalRate: world.totalRate,
    wallMs: performance.now() - wallStart,
    events: loop.events,
    controller: {
      callsMean: meanOver(st.arrivals, from, faultSecond),
      callsPeak: maxOver(st.arrivals, from, endTraffic),
      utilMean: meanOver(st.busyMs, from, faultSecond) / 1000,
      utilPeak: maxOver(st.busyMs, from, endTraffic) / 1000,
      refused: st.refused.reduce((a, b) => a + b, 0),
      kinds: { ...controller.kinds },
      series: { calls: [...st.arrivals], refused: [...st.refused], busyMs: st.busyMs.map((x) => Math.round(x * 10) / 10) },
    },
    relays,
    flip: {
      ...spread(flipSeen, (flip as { atMs: number } | null)?.atMs ?? null),
      committedAfterMs: flip === null ? null : (flip as { atMs: number }).atMs - tl.flipAtMs,
      refusedAttempts: controller.flipsRefused,
    },
    rollback: {
      evidenceAtMs,
      decisionMs: decided !== null && evidenceAtMs !== null ? decided.atMs - evidenceAtMs : null,
      convergence: spread(rollbackSeen, decided?.atMs ?? null),
    },
    errors: { controlPlane: tally.userErrorsControlPlane, fault: tally.userErrorsFault, absorbed: tally.failoverAbsorbed },
    syncs: {
      total: tally.syncs,
      refused: tally.syncsRefused,
      lost: tally.syncsLost,
      forwards: tally.forwards,
      forwardsRefused: tally.forwardsRefused,
      pushes: tally.pushes,
    },
    exact: { generated, counted, buffered, inTransit: transit.pending, dropped: transit.dropped, duplicated: counted + buffered + transit.pending + transit.dropped - generated },
    cost: {
      requestsPerMillion: requests * perMillion,
      gbSecondsPerMillion: gbSeconds * perMillion,
      dollarsPerMillion: (requests * perMillion * PRICE_PER_MILLION_REQUESTS + gbSeconds * perMillion * PRICE_PER_MILLION_GB_SECONDS) / 1e6,
    },
  };
}
