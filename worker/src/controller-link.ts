/**
 * An isolate's link to its deployment's DeploymentController: the read path
 * of docs/architecture.md "Routing state". The hot path reads the in-memory
 * copy; when it is older than FLAG_TTL_MS (or outcomes are due to be
 * reported) one background sync — report pending telemetry, take the answer
 * as the new routing state — runs under ctx.waitUntil
 * (stale-while-revalidate). Outcomes still pending when a request ends get a
 * trailing flush: the request keeps one timer under ctx.waitUntil until the
 * next sync would fall due anyway, so a burst that stops shows in the
 * controller's windows within REPORT_INTERVAL_MS even if no request follows,
 * at no extra controller call (one such timer per isolate and deployment). A
 * cold isolate reads KV first; when the controller is unreachable, KV is read
 * again at most once per KV_REREAD_MS.
 */
import { RoutingStateSchema, type RoutingState } from "../../contract/routing.js";
import type { RouterConfig } from "./config.js";
import type { DeploymentController } from "./controller/deployment-controller.js";
import { HttpError } from "./errors.js";
import { readRoutingFromKv, RoutingCache } from "./routing-state.js";
import { syncReason, TelemetryBuffer, trailingWaitMs, type SyncClock } from "./telemetry.js";

/** At most one KV read per isolate and deployment in this long, after the cold read. */
export const KV_REREAD_MS = 60_000;
/** After a failed sync, wait at least this long before the next one. */
export const SYNC_BACKOFF_MS = 1_000;
/** A trailing flush waits at most this long (ctx.waitUntil gets 30 s after the answer). */
export const TRAILING_FLUSH_MAX_WAIT_MS = 20_000;

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

/** One isolate's view of one deployment: routing cache, telemetry buffer, sync schedule. */
export class ControllerLink {
  readonly cache = new RoutingCache();
  readonly telemetry = new TelemetryBuffer();
  readonly #deployment: string;
  readonly #isolateId: string;
  #lastSyncAtMs = Number.NEGATIVE_INFINITY;
  #retryAtMs = 0;
  #trailing = false;
  #lastKvReadAtMs = Number.NEGATIVE_INFINITY;
  #inFlight: Promise<void> | null = null;
  #cold: Promise<RoutingState> | null = null;

  constructor(deployment: string, isolateId: string) {
    this.#deployment = deployment;
    this.#isolateId = isolateId;
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

  /** Starts a sync under ctx.waitUntil if one is due (see telemetry.ts syncReason). */
  maybeSync(env: Env, config: RouterConfig, ctx: WaitUntil): void {
    if (this.#inFlight !== null) return;
    const nowMs = Date.now();
    if (nowMs < this.#retryAtMs) return;
    if (syncReason(this.#clock(config, nowMs), this.telemetry) !== null) ctx.waitUntil(this.sync(env));
  }

  /**
   * At the end of a served request: a sync if one is due, else a trailing
   * flush for what is left pending. None while the controller is backing
   * off after a failed sync: the next request's sync takes the outcomes.
   */
  afterRequest(env: Env, config: RouterConfig, ctx: WaitUntil): void {
    this.maybeSync(env, config, ctx);
    if (this.#trailing || !this.telemetry.pending || Date.now() < this.#retryAtMs) return;
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
      while (this.telemetry.pending && Date.now() < deadlineMs) {
        if (this.#inFlight !== null) {
          await this.#inFlight;
          // It failed: the controller is backing off, and the next request's sync takes the outcomes.
          if (Date.now() < this.#retryAtMs) return;
          continue;
        }
        const nowMs = Date.now();
        const waitMs = trailingWaitMs({ ...this.#clock(config, nowMs), retryAtMs: this.#retryAtMs }, Math.max(0, deadlineMs - nowMs));
        if (waitMs === 0) {
          await this.sync(env);
          if (Date.now() < this.#retryAtMs) return;
          continue;
        }
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    } finally {
      this.#trailing = false;
    }
  }

  #clock(config: RouterConfig, nowMs: number): SyncClock {
    return {
      nowMs,
      lastSyncAtMs: this.#lastSyncAtMs,
      flagTtlMs: config.flagTtlMs,
      reportIntervalMs: config.reportIntervalMs,
    };
  }

  /** Reports pending outcomes (or just asks) and keeps the answer; never throws. */
  sync(env: Env): Promise<void> {
    if (this.#inFlight !== null) return this.#inFlight;
    this.#lastSyncAtMs = Date.now();
    const batch = this.telemetry.take();
    this.#inFlight = (async () => {
      try {
        const stub = controllerStub(env, this.#deployment);
        const answer =
          batch.buckets.length > 0
            ? await stub.report({ isolateId: this.#isolateId, buckets: batch.buckets })
            : await stub.getRoutingState();
        this.cache.accept(RoutingStateSchema.parse(answer), "controller");
      } catch (err) {
        this.telemetry.restore(batch, Date.now());
        this.#retryAtMs = Date.now() + SYNC_BACKOFF_MS;
        console.warn(`router: controller "${this.#deployment}" unreachable, serving the last known state`, String(err));
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
      // Serve from KV now; the controller's fresher answer follows in the background.
      this.maybeSync(env, config, ctx);
      return this.cache.state;
    }
    await this.sync(env);
    if (this.cache.state !== null) return this.cache.state;
    throw new HttpError(
      "unavailable",
      "routing state unavailable: the deployment controller and KV could not be reached; retry shortly",
    );
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
