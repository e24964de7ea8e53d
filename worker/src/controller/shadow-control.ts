/**
 * The controller's side of shadow traffic: starts and stops a shadowing
 * (the session in storage, the routing state's `shadow` field that turns
 * isolates' mirrors on and off, the history rows), adds the reports' shadow
 * counts to it, ends it when its time is up or its epoch is gone (a flip or
 * rollback), and shows it judged by the shadow gate. The decisions are
 * shadow-session.ts's and shadow-gate.ts's; this stores them.
 */
import { CONTROLLER_ACTOR, type HistoryEntry } from "../../../contract/history.js";
import { ConfigError } from "../../../contract/env.js";
import { DEFAULT_SHADOW_SECONDS, shadowGateFromEnv, type ShadowGateSettings, type ShadowView } from "../../../contract/shadow.js";
import type { StateStore } from "./state-store.js";
import { dueEnding, endSession, foldReport, running, shadowEntry, shadowView, startSession, withShadow } from "./shadow-session.js";

/** A caller's start command (the admin API has checked the body: contract/shadow.ts ShadowStartBody). */
export interface ShadowStartCommand {
  sample: number;
  seconds?: number | undefined;
  reason?: string | undefined;
  actor: string;
}

/** What ShadowControl reads lazily from its Durable Object. */
export interface ShadowControlOptions {
  deployment: () => string;
  /** The env, for the gate's vars. */
  env: () => object;
  /** The policy's MAX_ERROR_RATE (its default when the policy is bad). */
  maxErrorRate: () => number;
}

/** One controller's shadowings. */
export class ShadowControl {
  readonly #store: StateStore;
  readonly #options: ShadowControlOptions;

  constructor(store: StateStore, options: ShadowControlOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** The gate's settings; their defaults (logged) when a var is bad, which check-config reports. */
  gate(): ShadowGateSettings {
    try {
      return shadowGateFromEnv(this.#options.env(), this.#options.maxErrorRate());
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      console.error(`controller ${this.#options.deployment()}: ${err.issues.join("; ")}; the shadow gate uses its defaults`);
      return shadowGateFromEnv({}, this.#options.maxErrorRate());
    }
  }

  /** Starts shadowing the standby (ending a running shadowing first); answers the new view. */
  start(cmd: ShadowStartCommand, nowMs: number): ShadowView {
    this.settle(nowMs);
    const state = this.#store.routing(nowMs);
    const entries: HistoryEntry[] = [];
    const gate = this.gate();
    const previous = this.#store.shadowSession();
    if (previous !== null && running(previous)) {
      const ended = endSession(previous, "stopped", nowMs);
      entries.push(shadowEntry(ended, gate, nowMs, cmd.actor));
    }
    const session = startSession(state, {
      sample: cmd.sample,
      seconds: cmd.seconds ?? DEFAULT_SHADOW_SECONDS,
      reason: cmd.reason ?? "shadow the standby",
      actor: cmd.actor,
      nowMs,
    });
    entries.push(shadowEntry(session, gate, nowMs, cmd.actor));
    this.#store.saveShadow(session, withShadow(state, session, nowMs), entries);
    return shadowView(session, gate);
  }

  /** Stops a running shadowing; answers the last one (null when there never was one). */
  stop(actor: string, nowMs: number): ShadowView | null {
    this.settle(nowMs);
    const session = this.#store.shadowSession();
    if (session === null) return null;
    const gate = this.gate();
    if (!running(session)) return shadowView(session, gate);
    const ended = endSession(session, "stopped", nowMs);
    const state = this.#store.routing(nowMs);
    this.#store.saveShadow(ended, state.shadow === undefined ? null : withShadow(state, null, nowMs), [shadowEntry(ended, gate, nowMs, actor)]);
    return shadowView(ended, gate);
  }

  /** Adds a report's shadow counts to the last shadowing. */
  fold(buckets: readonly unknown[]): void {
    const session = this.#store.shadowSession();
    if (session === null) return;
    const next = foldReport(session, buckets);
    if (next !== null) this.#store.saveShadow(next);
  }

  /** Ends a running shadowing whose time is up or whose epoch is gone; answers whether the routing state changed. */
  settle(nowMs: number): boolean {
    const session = this.#store.shadowSession();
    if (session === null) return false;
    const state = this.#store.routing(nowMs);
    const why = dueEnding(session, state, nowMs);
    if (why === null) return false;
    const ended = endSession(session, why, nowMs);
    // A flip or rollback made a state without `shadow`; an expired one still has it: take it off.
    const next = state.shadow === undefined ? null : withShadow(state, null, nowMs);
    this.#store.saveShadow(ended, next, [shadowEntry(ended, this.gate(), nowMs, CONTROLLER_ACTOR)]);
    console.log(`controller ${this.#options.deployment()}: shadowing of ${ended.standby} ${why}`);
    return next !== null;
  }

  /** The last shadowing, judged now; null when there never was one. */
  view(): ShadowView | null {
    const session = this.#store.shadowSession();
    return session === null ? null : shadowView(session, this.gate());
  }
}
