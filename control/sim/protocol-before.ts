/**
 * Today's protocol (controller-link.ts), driven with the router's real
 * pieces: syncReason decides when an isolate syncs, TelemetryBuffer takes
 * and restores its outcomes, RoutingCache keeps the answer. Every sync is
 * one call to the controller — report() with the pending buckets, or
 * getRoutingState() — and a failed one (refused as overloaded, or its answer
 * lost) restores the outcomes into the buffer and backs off SYNC_BACKOFF_MS;
 * a lost answer's outcomes were counted already, so they count twice (what
 * the relayed protocol's numbered batches prevent). The link's orchestration
 * is repeated here because controller-link.ts acts through Worker bindings.
 */
import { syncReason } from "../../worker/src/telemetry.js";
import { rpc, type RpcContext } from "./engine/rpc.js";
import type { ControllerNode } from "./controller-node.js";
import { type Protocol, type SimIsolate, type SimParams, type Tally } from "./model.js";
import { controllerHop, type World } from "./world.js";

/** controller-link.ts SYNC_BACKOFF_MS (not imported: that module needs the Workers types). */
export const TODAY_SYNC_BACKOFF_MS = 1_000;

interface LinkState {
  lastSyncAtMs: number;
  retryAtMs: number;
  inFlight: boolean;
}

/** Isolates calling the controller directly. */
export class TodayProtocol implements Protocol {
  readonly #ctx: RpcContext;
  readonly #params: SimParams;
  readonly #world: World;
  readonly #controller: ControllerNode;
  readonly #tally: Tally;
  readonly #onState: (isolate: SimIsolate) => void;
  readonly #links: LinkState[] = [];
  /** Requests in syncs sent and not yet answered (taken from a buffer, not yet back in it or counted). */
  #inFlightRequests = 0;

  constructor(ctx: RpcContext, params: SimParams, world: World, controller: ControllerNode, tally: Tally, onState: (isolate: SimIsolate) => void) {
    this.#ctx = ctx;
    this.#params = params;
    this.#world = world;
    this.#controller = controller;
    this.#tally = tally;
    this.#onState = onState;
  }

  start(isolate: SimIsolate, nowMs: number): void {
    this.#links[isolate.index] = { lastSyncAtMs: Number.NEGATIVE_INFINITY, retryAtMs: 0, inFlight: false };
    this.tick(isolate, nowMs, false);
  }

  tick(isolate: SimIsolate, nowMs: number, draining: boolean): void {
    const link = this.#links[isolate.index]!;
    if (link.inFlight || nowMs < link.retryAtMs) return;
    // After the traffic stops, only the trailing flush syncs (what is pending).
    if (draining && !isolate.buffer.pending) return;
    const clock = { nowMs, lastSyncAtMs: link.lastSyncAtMs, flagTtlMs: this.#params.flagTtlMs, reportIntervalMs: this.#params.reportIntervalMs };
    if (syncReason(clock, isolate.buffer) === null) return;
    this.#sync(isolate, link, nowMs);
  }

  flip(_nowMs: number): void {
    this.#controller.flip();
  }

  inTransit(): { pending: number; dropped: number } {
    // Failed batches go back into the buffers, which the run counts itself; restore() drops none within a run.
    return { pending: this.#inFlightRequests, dropped: 0 };
  }

  relays(): null {
    return null;
  }

  #sync(isolate: SimIsolate, link: LinkState, nowMs: number): void {
    link.inFlight = true;
    link.lastSyncAtMs = nowMs;
    const batch = isolate.buffer.take();
    const kind = batch.buckets.length > 0 ? "report" : "state";
    let requests = 0;
    for (const b of batch.buckets) requests += b.counts.requests;
    this.#inFlightRequests += requests;
    this.#tally.syncs += 1;
    const controller = this.#controller;
    rpc(this.#ctx, {
      server: controller.server,
      hop: controllerHop(this.#world, isolate.colo),
      serviceMs: (atMs) => controller.serviceMs(kind, atMs),
      effect: (atMs) => {
        // Counted now (a lost answer's batch is also restored below: counted twice, as in the router).
        this.#inFlightRequests -= requests;
        controller.served(kind);
        if (kind === "report") {
          controller.model.apply(batch.buckets, atMs);
          controller.model.evaluate(atMs);
        }
        return controller.model.state;
      },
      reply: (state, end) => {
        link.inFlight = false;
        if (end === "refused") this.#inFlightRequests -= requests;
        const now = this.#ctx.loop.now;
        if (state === null) {
          if (end === "refused") this.#tally.syncsRefused += 1;
          else this.#tally.syncsLost += 1;
          isolate.buffer.restore(batch, now);
          link.retryAtMs = now + TODAY_SYNC_BACKOFF_MS;
          return;
        }
        if (isolate.cache.accept(state, "controller")) this.#onState(isolate);
      },
    });
  }
}
