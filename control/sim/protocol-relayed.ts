/**
 * The relayed protocol (docs/scale.md), driven with the pure modules the
 * Worker uses: each isolate's SyncSchedule (worker/src/sync-schedule.ts)
 * syncs with its location's relay shard; each relay is a simulated Durable
 * Object around RelayCore (worker/src/relay/relay-core.ts) that answers from
 * its state and forwards merged, numbered batches to the controller, whose
 * RelayRegistry (worker/src/controller/relay-registry.ts) takes each batch
 * once, sets the relays' forward interval and shards, and names the relays to
 * push a changed state to. Relays run their alarm at nextCheckAtMs().
 */
import { relayName } from "../../worker/src/relay/relay-name.js";
import { RelayCore } from "../../worker/src/relay/relay-core.js";
import type { ForwardAnswer, IsolateSync, RelayAnswer } from "../../worker/src/relay/relay-messages.js";
import { SyncSchedule } from "../../worker/src/sync-schedule.js";
import type { RoutingState } from "../../contract/routing.js";
import type { Rng } from "./engine/rng.js";
import { Server } from "./engine/server.js";
import { rpc, type RpcContext } from "./engine/rpc.js";
import { maxOver } from "./engine/stats.js";
import type { ControllerNode } from "./controller-node.js";
import type { Protocol, RelayFigures, SimIsolate, SimParams, Tally } from "./model.js";
import { controllerHop, type World } from "./world.js";

const DEPLOYMENT = "sim";

/** One relay object: its real logic, its thread, its alarm. */
class RelayNode {
  readonly core: RelayCore;
  readonly server: Server;
  readonly colo: number;
  alarms = 0;
  #alarmAtMs: number | null = null;
  #alarmToken = 0;

  constructor(name: string, colo: number, coloName: string, params: SimParams, seconds: number, random: () => number) {
    this.core = new RelayCore(name, `${name}#1`, coloName, random);
    this.server = new Server(name, params.limits, seconds);
    this.colo = colo;
  }

  /** Re-arms the alarm at `atMs` when that is sooner than the one set (setAlarm replaces it). */
  arm(atMs: number | null, fire: () => void, ctx: RpcContext): void {
    if (atMs === null || (this.#alarmAtMs !== null && this.#alarmAtMs <= atMs)) return;
    this.#alarmAtMs = atMs;
    const token = ++this.#alarmToken;
    ctx.loop.at(atMs, () => {
      if (token !== this.#alarmToken) return;
      this.#alarmAtMs = null;
      this.alarms += 1;
      fire();
    });
  }
}

/** Isolates → relays per location and shard → controller, with pushes back. */
export class RelayedProtocol implements Protocol {
  readonly #ctx: RpcContext;
  readonly #params: SimParams;
  readonly #world: World;
  readonly #controller: ControllerNode;
  readonly #tally: Tally;
  readonly #onState: (isolate: SimIsolate) => void;
  readonly #schedules: SyncSchedule[] = [];
  readonly #relays = new Map<string, RelayNode>();
  readonly #seconds: number;
  readonly #random: () => number;

  /** `rng`: the relays' own stream (their interval jitter). */
  constructor(ctx: RpcContext, params: SimParams, world: World, controller: ControllerNode, tally: Tally, onState: (isolate: SimIsolate) => void, rng: Rng) {
    this.#ctx = ctx;
    this.#params = params;
    this.#world = world;
    this.#controller = controller;
    this.#tally = tally;
    this.#onState = onState;
    this.#seconds = Math.ceil(params.timeline.endMs / 1000) + 1;
    this.#random = () => rng.uniform();
    if (params.push) controller.onChange((change) => this.#push(change.state));
  }

  start(isolate: SimIsolate, nowMs: number): void {
    this.#schedules[isolate.index] = new SyncSchedule(isolate.id);
    this.tick(isolate, nowMs, false);
  }

  tick(isolate: SimIsolate, nowMs: number, draining: boolean): void {
    const schedule = this.#schedules[isolate.index]!;
    // After the traffic stops, only the trailing flush syncs (what is pending or unacknowledged).
    if (draining && !isolate.buffer.pending && schedule.unackedBatches === 0) return;
    if (schedule.due(nowMs, this.#params, isolate.buffer) === null) return;
    const { shard, request } = schedule.begin(nowMs, isolate.buffer);
    const relay = this.#relay(isolate.colo, shard);
    this.#tally.syncs += 1;
    rpc<RelayAnswer>(this.#ctx, {
      server: relay.server,
      hop: "local",
      serviceMs: () => this.#params.service.relay,
      effect: (atMs) => this.#relaySync(relay, request, atMs),
      reply: (answer, end) => {
        if (answer === null) {
          if (end === "refused") this.#tally.syncsRefused += 1;
          else this.#tally.syncsLost += 1;
          schedule.failed(this.#ctx.loop.now);
          return;
        }
        const before = isolate.cache.state;
        schedule.succeeded(answer, isolate.cache);
        if (isolate.cache.state !== before) this.#onState(isolate);
      },
    });
  }

  flip(_nowMs: number): void {
    this.#controller.flip();
  }

  inTransit(): { pending: number; dropped: number } {
    // A batch a relay (or the controller) has taken but not yet acknowledged is counted where it was taken, not twice.
    let pending = 0;
    let dropped = 0;
    this.#schedules.forEach((s, i) => {
      if (s === undefined) return;
      dropped += s.droppedRequests;
      const shard = s.unackedShard;
      if (shard === null) return;
      const relay = this.#relays.get(relayName(DEPLOYMENT, this.#world.colos[this.#world.isolateColo[i]!]!.name, shard));
      pending += s.unackedRequestsAfter(relay?.core.takenSeq(s.isolateId) ?? 0);
    });
    for (const r of this.#relays.values()) {
      pending += r.core.pendingRequestsAfter(this.#controller.registry.takenSeq(r.core.relay, r.core.incarnation));
      dropped += r.core.droppedRequests;
    }
    return { pending, dropped };
  }

  relays(): RelayFigures {
    const arrivals = new Array<number>(this.#seconds).fill(0);
    const refusedSeries = new Array<number>(this.#seconds).fill(0);
    let refused = 0;
    let busyMs = 0;
    let peakCalls = 0;
    let peakBusy = 0;
    const from = Math.floor(this.#params.timeline.steadyFromMs / 1000);
    const to = Math.floor(this.#params.timeline.trafficEndMs / 1000);
    for (const r of this.#relays.values()) {
      const st = r.server.stats;
      st.arrivals.forEach((n, i) => (arrivals[i]! += n));
      st.refused.forEach((n, i) => (refusedSeries[i]! += n));
      refused += st.refused.reduce((a, b) => a + b, 0);
      busyMs += st.busyMs.reduce((a, b) => a + b, 0);
      peakCalls = Math.max(peakCalls, maxOver(st.arrivals, from, to));
      peakBusy = Math.max(peakBusy, maxOver(st.busyMs, from, to) / 1000);
    }
    const maxShards = Math.max(1, ...this.#world.colos.map((c) => this.#controller.registry.shards(c.name)));
    return { count: this.#relays.size, maxShards, arrivals, refused, refusedSeries, peakCallsPerSecond: peakCalls, peakUtilisation: peakBusy, busyMs };
  }

  /** Relay alarms run (each one is a billed Durable Object request). */
  alarms(): number {
    let n = 0;
    for (const r of this.#relays.values()) n += r.alarms;
    return n;
  }

  #relay(colo: number, shard: number): RelayNode {
    const coloName = this.#world.colos[colo]!.name;
    const name = relayName(DEPLOYMENT, coloName, shard);
    let relay = this.#relays.get(name);
    if (relay === undefined) {
      relay = new RelayNode(name, colo, coloName, this.#params, this.#seconds, this.#random);
      this.#relays.set(name, relay);
    }
    return relay;
  }

  #relaySync(relay: RelayNode, request: IsolateSync, atMs: number): RelayAnswer {
    const answer = relay.core.sync(request, atMs);
    this.#afterRelayWork(relay, atMs);
    return answer;
  }

  // What the relay object does after any call, answer or alarm: forward if due, else arm its alarm.
  #afterRelayWork(relay: RelayNode, atMs: number): void {
    if (relay.core.forwardReason(atMs) !== null) this.#forward(relay, atMs);
    else relay.arm(relay.core.nextCheckAtMs(), () => this.#alarm(relay), this.#ctx);
  }

  #alarm(relay: RelayNode): void {
    const finishAtMs = relay.server.occupy(this.#ctx.loop.now, this.#params.service.relay);
    this.#ctx.loop.at(finishAtMs, () => this.#afterRelayWork(relay, this.#ctx.loop.now));
  }

  #forward(relay: RelayNode, atMs: number): void {
    const forward = relay.core.beginForward(atMs);
    const kind = forward.batches.length > 0 ? "forward" : "state";
    const controller = this.#controller;
    this.#tally.forwards += 1;
    rpc<ForwardAnswer>(this.#ctx, {
      server: controller.server,
      hop: controllerHop(this.#world, relay.colo),
      serviceMs: (t) => controller.serviceMs(kind, t),
      effect: (t) => {
        controller.served("forward");
        const { fresh, answer } = controller.registry.accept(forward, t, controller.model.policy.maxErrorRate);
        for (const batch of fresh) controller.model.apply(batch.buckets, t);
        if (fresh.length > 0) controller.model.evaluate(t);
        return { ...answer, state: controller.model.state };
      },
      reply: (answer, end) => {
        const now = this.#ctx.loop.now;
        this.#tally.awaitingMs += now - atMs;
        if (answer === null) {
          if (end === "refused") this.#tally.forwardsRefused += 1;
          else this.#tally.forwardsLost += 1;
          relay.core.forwardFailed(now);
        } else relay.core.forwardSucceeded(answer);
        this.#afterRelayWork(relay, now);
      },
    });
  }

  // After a change the controller pushes the state to every active relay, one outgoing call per relay.
  #push(state: RoutingState): void {
    const loop = this.#ctx.loop;
    const targets = this.#controller.registry.pushTargets(loop.now);
    const per = this.#params.service.pushPerTarget;
    const startMs = this.#controller.server.occupy(loop.now, targets.length * per) - targets.length * per;
    targets.forEach((name, i) => {
      const relay = this.#relays.get(name);
      if (relay === undefined) return;
      this.#tally.pushes += 1;
      loop.at(startMs + (i + 1) * per, () =>
        rpc<boolean>(this.#ctx, {
          server: relay.server,
          hop: controllerHop(this.#world, relay.colo),
          serviceMs: () => this.#params.service.relay,
          effect: () => relay.core.push(state),
          reply: () => {},
        }),
      );
    });
  }
}
