/**
 * The controller's copy of the routing state in KV (docs/architecture.md
 * "Controller"): writes are queued so KV never ends on an older state, at
 * most one per change, and after a failed write the next attempt waits
 * KV_RETRY_AFTER_MS unless a change, the alarm or the cron asks for one at
 * once.
 */
import type { RoutingState } from "../../../contract/routing.js";
import { routingKvKey } from "../routing-state.js";
import type { StateStore } from "./state-store.js";

/** After a failed KV write, wait this long before trying again on the next call. */
const KV_RETRY_AFTER_MS = 5_000;

/** What KvSync reads lazily from its Durable Object. */
export interface KvSyncOptions {
  /** The deployment's name: the KV key and the logs. */
  deployment: () => string;
  /** The ROUTING namespace. */
  kv: () => KVNamespace;
}

/** Keeps one controller's routing state current in KV. */
export class KvSync {
  readonly #store: StateStore;
  readonly #options: KvSyncOptions;
  #writes: Promise<void> = Promise.resolve();
  #retryAt = 0;

  constructor(store: StateStore, options: KvSyncOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** Lets the next call write at once, even right after a failed write. */
  retryNow(): void {
    this.#retryAt = 0;
  }

  /** The current state, after making sure KV holds it (at most one write per change). */
  async answer(): Promise<RoutingState> {
    const state = this.#store.routing(Date.now());
    if (!this.#store.kvHolds(state) && Date.now() >= this.#retryAt) await this.sync();
    return this.#store.routing(Date.now());
  }

  /** Writes the current state to KV; writes are queued so KV never ends on an older state. */
  sync(): Promise<void> {
    const write = this.#writes.then(async () => {
      const state = this.#store.routing(Date.now());
      if (this.#store.kvHolds(state)) return;
      try {
        await this.#options.kv().put(routingKvKey(this.#options.deployment()), JSON.stringify(state));
        this.#store.markKvWritten(state);
      } catch (err) {
        this.#retryAt = Date.now() + KV_RETRY_AFTER_MS;
        console.error(`controller ${this.#options.deployment()}: KV write failed; isolates keep the DO's answer`, err);
      }
    });
    this.#writes = write;
    return write;
  }
}
