/**
 * Everything one isolate keeps between requests: its random id, its
 * location (the `cf.colo` of its first request that has one: an isolate
 * runs in one location), the origin pools' round-robin and passive-health
 * state, one ControllerLink (routing cache + telemetry + the sync with its
 * location's relay) per deployment, and the parsed config of the env it last
 * served. index.ts makes one per isolate; tests make more to play other
 * isolates, in other locations.
 */
import { routerConfig, type RouterConfig } from "./config.js";
import { ControllerLink } from "./controller-link.js";
import { PoolSet } from "./pools.js";
import { coloOf, UNKNOWN_COLO } from "./relay/relay-name.js";
import { ShadowMirror } from "./shadow/mirror.js";

/** Per-isolate router state. */
export class IsolateState {
  readonly pools = new PoolSet();
  /** The shadow mirror's in-flight cap is per isolate (shadow/mirror.ts). */
  readonly shadow = new ShadowMirror();
  readonly #links = new Map<string, ControllerLink>();
  #id: string | null = null;
  #colo: string | null = null;
  // The last env and deployment seen: one comparison per request instead of a WeakMap or Map lookup.
  #env: object | null = null;
  #config: RouterConfig | null = null;
  #lastLink: ControllerLink | null = null;
  #lastDeployment = "";

  /** Random id of this isolate, made on first use (Workers allow no randomness at global scope). */
  get id(): string {
    this.#id ??= crypto.randomUUID();
    return this.#id;
  }

  /** The isolate's location: its relays are this location's (UNKNOWN_COLO until a request carried a `cf.colo`). */
  get colo(): string {
    return this.#colo ?? UNKNOWN_COLO;
  }

  /** Learns the isolate's location from a request's `cf` (the first one that names one; it never changes). */
  locate(cf: unknown): void {
    if (this.#colo !== null) return;
    const colo = coloOf(cf);
    if (colo !== UNKNOWN_COLO) this.#colo = colo;
  }

  /** The router config of `env` (parsed once per env object by config.ts; throws ConfigError). */
  config(env: Env): RouterConfig {
    if (env === this.#env) return this.#config!;
    const config = routerConfig(env);
    this.#env = env;
    this.#config = config;
    return config;
  }

  /** The link for a deployment. */
  link(deployment: string): ControllerLink {
    if (deployment === this.#lastDeployment && this.#lastLink !== null) return this.#lastLink;
    let link = this.#links.get(deployment);
    if (link === undefined) {
      link = new ControllerLink(deployment, this.id, () => this.colo);
      this.#links.set(deployment, link);
    }
    this.#lastDeployment = deployment;
    this.#lastLink = link;
    return link;
  }
}
