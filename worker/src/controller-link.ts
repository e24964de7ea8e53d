/**
 * An isolate's link to its deployment's control plane: the read path of
 * docs/architecture.md "Routing state" over the relayed protocol of
 * docs/scale.md. The hot path reads the in-memory copy; when it is older
 * than FLAG_TTL_MS (or outcomes are due to be reported) one background sync
 * with the isolate's relay — the relay Durable Object of its location
 * (`request.cf.colo`) and shard — runs under ctx.waitUntil
 * (stale-while-revalidate): it carries the pending outcomes as a numbered
 * batch and takes the relay's state. The batch stays with the isolate
 * (SyncSchedule) until the relay acknowledges it and goes again, with the
 * same number, after a failed sync, so an answer lost on the way counts
 * nothing twice. A failed sync backs off and never fails a request: the
 * isolate keeps serving its last state.
 *
 * Outcomes still pending when a request ends get a trailing flush: the
 * request keeps one timer under ctx.waitUntil until the next sync would fall
 * due anyway, so a burst that stops reaches the relay within
 * REPORT_INTERVAL_MS even if no request follows (one such timer per isolate
 * and deployment).
 *
 * A cold isolate reads KV first; when the relay is unreachable, KV is read
 * again at most once per KV_REREAD_MS. Only an isolate with no state at all
 * — nothing in KV (a new deployment) and nothing from its relay — asks the
 * controller itself, once per cold start: a herd of isolates going to the
 * controller is what the relays are there to prevent, so neither a failing
 * relay nor a stale state sends an isolate there.
 */
import { RoutingStateSchema, type RoutingState } from "../../contract/routing.js";
import { within } from "./bounded-call.js";
import type { RouterConfig } from "./config.js";
import type { DeploymentController } from "./controller/deployment-controller.js";
import { parseRpc } from "./controller/rpc-schemas.js";
import { HttpError } from "./errors.js";
import { RelayAnswerSchema } from "./relay/relay-messages.js";
import { relayName } from "./relay/relay-name.js";
import { relayStub } from "./relay/relay-object.js";
import { readRoutingFromKv, RoutingCache } from "./routing-state.js";
import { RELAY_SYNC_BACKOFF_MS, SyncSchedule } from "./sync-schedule.js";
import { TelemetryBuffer } from "./telemetry.js";

/** At most one KV read per isolate and deployment in this long, after the cold read. */
export const KV_REREAD_MS = 60_000;
/** After a failed sync, wait at least this long before the next one. */
export const SYNC_BACKOFF_MS = RELAY_SYNC_BACKOFF_MS;
/** A trailing flush waits at most this long (ctx.waitUntil gets 30 s after the answer). */
export const TRAILING_FLUSH_MAX_WAIT_MS = 20_000;

/**
 * A sync not answered within this long counts as failed (bounded-call.ts):
 * the link backs off and its batches go with the next sync. Longer than a
 * cold relay's wait for its first forward (COLD_ANSWER_MAX_WAIT_MS, 4 s).
 */
export const RELAY_SYNC_TIMEOUT_MS = 6_000;

/** The part of an execution context the link needs. */
export type WaitUntil = Pick<ExecutionContext, "waitUntil">;

/**
 * The controller stub of a deployment. The generated Env types the namespace
 * through an extensionless import that NodeNext cannot resolve (so `any`);
 * the class is named here to keep the RPC calls typed.
 */
export function controllerStub(env: Env, deployment: string): DurableObjectStub<DeploymentController> {
  const namespace = env.DEPLOYMENTS as DurableObjectNamespace<DeploymentController>;
  return namespace.get(namespace.idFromName(deployment));
}

/** One isolate's view of one deployment: routing cache, telemetry buffer, sync schedule with its relay. */
export class ControllerLink {
  readonly cache = new RoutingCache();
  readonly telemetry = new TelemetryBuffer();
  /** How long a sync may take before it counts as failed (tests shorten it). */
  syncTimeoutMs = RELAY_SYNC_TIMEOUT_MS;
  readonly #deployment: string;
  readonly #schedule: SyncSchedule;
  readonly #colo: () => string;
  #trailing = false;
  #lastKvReadAtMs = Number.NEGATIVE_INFINITY;
  #inFlight: Promise<void> | null = null;
  #cold: Promise<RoutingState> | null = null;

  /** `colo`: the isolate's location (fixed once its first request has told it: isolate.ts). */
  constructor(deployment: string, isolateId: string, colo: () => string) {
    this.#deployment = deployment;
    this.#schedule = new SyncSchedule(isolateId);
    this.#colo = colo;
  }

  /** The state to route this request by; may start a background sync. */
  async routing(env: Env, config: RouterConfig, ctx: WaitUntil): Promise<RoutingState> {
    const state = this.stateNow(env, config, ctx);
    if (state !== null) return state;
    this.#cold ??= this.#coldLoad(env, config, ctx).finally(() => {
      this.#cold = null;
    });
    return this.#cold;
  }

  /**
   * The in-memory state (may start a background sync), or null in a cold
   * isolate, where routing() loads it: the hot path's read, with no promise
   * to wait on.
   */
  stateNow(env: Env, config: RouterConfig, ctx: WaitUntil): RoutingState | null {
    const state = this.cache.state;
    if (state !== null) this.maybeSync(env, config, ctx);
    return state;
  }

  /** Starts a sync under ctx.waitUntil if one is due (sync-schedule.ts due). */
  maybeSync(env: Env, config: RouterConfig, ctx: WaitUntil): void {
    if (this.#inFlight !== null) return;
    if (this.#schedule.due(Date.now(), config, this.telemetry) !== null) ctx.waitUntil(this.sync(env));
  }

  /**
   * At the end of a served request: a sync if one is due, else a trailing
   * flush for what is left pending. None while backing off after a failed
   * sync: the next request's sync takes the outcomes.
   */
  afterRequest(env: Env, config: RouterConfig, ctx: WaitUntil): void {
    this.maybeSync(env, config, ctx);
    if (this.#trailing || !this.telemetry.pending || this.#schedule.backingOff(Date.now())) return;
    this.#trailing = true;
    ctx.waitUntil(this.#trailingFlush(env, config));
  }

  /**
   * Waits until a sync is due (and any sync in flight has ended), then makes
   * one while outcomes are still pending — also those counted meanwhile,
   * e.g. a shadow mirror's (shadow/mirror.ts) that ended during the sync;
   * gives up when a sync failed or after TRAILING_FLUSH_MAX_WAIT_MS. Clears
   * the trailing mark in the same turn as its last look at the buffer, so an
   * outcome counted after it schedules a flush of its own.
   */
  async #trailingFlush(env: Env, config: RouterConfig): Promise<void> {
    const deadlineMs = Date.now() + TRAILING_FLUSH_MAX_WAIT_MS;
    try {
      while (this.telemetry.pending) {
        if (this.#inFlight !== null) {
          await this.#inFlight;
          // It failed: the link is backing off, and the next request's sync takes the outcomes.
          if (this.#schedule.backingOff(Date.now())) return;
          continue;
        }
        const nowMs = Date.now();
        const waitMs = this.#schedule.trailingWaitMs(nowMs, config, Math.max(0, deadlineMs - nowMs));
        if (waitMs === 0) {
          await this.sync(env);
          // Outcomes counted during the sync go in another one, until the deadline.
          if (this.#schedule.backingOff(Date.now()) || Date.now() >= deadlineMs) return;
          continue;
        }
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    } finally {
      this.#trailing = false;
    }
  }

  /** Sends the pending outcomes (and any unacknowledged batches) to the relay and keeps its answer; never throws. */
  sync(env: Env): Promise<void> {
    if (this.#inFlight !== null) return this.#inFlight;
    const { shard, request } = this.#schedule.begin(Date.now(), this.telemetry);
    const relay = relayName(this.#deployment, this.#colo(), shard);
    this.#inFlight = (async () => {
      try {
        const answer = parseRpc(RelayAnswerSchema, await within(relayStub(env, relay).sync(request, relay), this.syncTimeoutMs, `sync with relay ${relay}`), "relay answer");
        this.#schedule.succeeded(answer, this.cache);
      } catch (err) {
        this.#schedule.failed(Date.now());
        console.warn(`router: relay ${relay} unreachable, serving the last known state`, String(err));
        await this.#rereadKv(env);
      } finally {
        this.#inFlight = null;
      }
    })();
    return this.#inFlight;
  }

  /** Takes a state the controller has just answered (e.g. to an admin flip in this isolate). */
  accept(state: RoutingState): void {
    this.cache.accept(state, "controller");
  }

  async #coldLoad(env: Env, config: RouterConfig, ctx: WaitUntil): Promise<RoutingState> {
    await this.#rereadKv(env);
    if (this.cache.state !== null) {
      // Serve from KV now; the relay's fresher answer follows in the background.
      this.maybeSync(env, config, ctx);
      return this.cache.state;
    }
    await this.sync(env);
    if (this.cache.state !== null) return this.cache.state;
    // Nothing in KV and nothing from the relay (a new deployment, or a relay that has not heard from the controller yet).
    await this.#askController(env);
    if (this.cache.state !== null) return this.cache.state;
    throw new HttpError(
      "unavailable",
      "routing state unavailable: the deployment controller, its relay and KV could not be reached; retry shortly",
    );
  }

  /** The controller's state, asked directly: only by a cold isolate that found no state anywhere else. */
  async #askController(env: Env): Promise<void> {
    try {
      this.cache.accept(RoutingStateSchema.parse(await controllerStub(env, this.#deployment).getRoutingState()), "controller");
    } catch (err) {
      console.warn(`router: controller "${this.#deployment}" unreachable, and no routing state anywhere else`, String(err));
    }
  }

  async #rereadKv(env: Env): Promise<void> {
    const nowMs = Date.now();
    if (nowMs - this.#lastKvReadAtMs < KV_REREAD_MS) return;
    this.#lastKvReadAtMs = nowMs;
    try {
      const state = await readRoutingFromKv(env.ROUTING, this.#deployment);
      if (state !== null) this.cache.accept(state, "kv");
    } catch (err) {
      console.warn(`router: KV read of "${this.#deployment}" failed`, String(err));
    }
  }
}
