/**
 * The controller as a simulated Durable Object: one single-threaded server
 * (engine/server.ts) whose calls cost the measured service times — a report
 * or a relay's forward, a refresh, plus the metric windows' storage write on
 * the first call of each second (traffic-memory.ts saves at most once a
 * second) — in front of the decisions (controller-model.ts). Its alarm runs
 * every HEALTH_INTERVAL_SECONDS and judges too, as the real one does.
 */
import { RelayRegistry } from "../../worker/src/controller/relay-registry.js";
import { Server } from "./engine/server.js";
import type { RpcContext } from "./engine/rpc.js";
import { SimController, type Change } from "./controller-model.js";
import type { SimParams } from "./model.js";

/** An operator's refused flip is tried again this long after the refusal. */
export const FLIP_RETRY_MS = 500;

export type ControllerCallKind = "report" | "forward" | "state" | "alarm" | "flip";

/** The controller object of one run. */
export class ControllerNode {
  readonly server: Server;
  readonly model: SimController;
  readonly registry = new RelayRegistry();
  /** Calls served, by kind. */
  readonly kinds: Record<ControllerCallKind, number> = { report: 0, forward: 0, state: 0, alarm: 0, flip: 0 };
  /** Operator flips refused as overloaded (each tried again). */
  flipsRefused = 0;
  readonly #ctx: RpcContext;
  readonly #params: SimParams;
  #lastSaveAtMs = Number.NEGATIVE_INFINITY;
  #listeners: ((change: Change) => void)[] = [];

  constructor(ctx: RpcContext, params: SimParams) {
    this.#ctx = ctx;
    this.#params = params;
    this.server = new Server("controller", params.limits, Math.ceil(params.timeline.endMs / 1000) + 1);
    this.model = new SimController(0, (change) => this.#listeners.forEach((l) => l(change)));
    this.#armAlarm(this.model.policy.healthIntervalSeconds * 1000);
  }

  /** Called after every change of the routing state (flip, rollback), at the change's time. */
  onChange(listener: (change: Change) => void): void {
    this.#listeners.push(listener);
  }

  /** The busy time of a call of `kind` arriving at `atMs`, with the windows' write when one is due. */
  serviceMs(kind: ControllerCallKind, atMs: number): number {
    const s = this.#params.service;
    const base = kind === "forward" ? s.forward : kind === "state" || kind === "flip" ? s.state : s.report;
    if ((kind === "report" || kind === "forward" || kind === "alarm") && atMs - this.#lastSaveAtMs >= 1000) {
      this.#lastSaveAtMs = atMs;
      return base + s.save;
    }
    return base;
  }

  /** Counts a served call of `kind`. */
  served(kind: ControllerCallKind): void {
    this.kinds[kind] += 1;
  }

  /** The operator's flip to green, arriving now (an admin call: one refresh's cost); refused as overloaded, the CLI tries again FLIP_RETRY_MS later. */
  flip(): void {
    const loop = this.#ctx.loop;
    const admission = this.server.arrive(loop.now, this.serviceMs("flip", loop.now));
    if (!admission.served) {
      this.flipsRefused += 1;
      loop.at(admission.refusedAtMs + FLIP_RETRY_MS, () => this.flip());
      return;
    }
    loop.at(admission.finishAtMs, () => {
      this.served("flip");
      this.model.flip("green", loop.now);
    });
  }

  #armAlarm(inMs: number): void {
    const loop = this.#ctx.loop;
    loop.after(inMs, () => {
      // An alarm is one more invocation in the object's queue (never refused: the runtime retries alarms).
      const finishAtMs = this.server.occupy(loop.now, this.serviceMs("alarm", loop.now));
      loop.at(finishAtMs, () => {
        this.served("alarm");
        this.model.evaluate(loop.now);
      });
      this.#armAlarm(this.model.policy.healthIntervalSeconds * 1000);
    });
  }
}
