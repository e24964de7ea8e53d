/**
 * Everything one isolate keeps between requests: its random id, the origin
 * pools' round-robin and passive-health state, and one ControllerLink
 * (routing cache + telemetry) per deployment. index.ts makes one per
 * isolate; tests make more to play a second isolate.
 */
import { ControllerLink } from "./controller-link.js";
import { PoolSet } from "./pools.js";

/** Per-isolate router state. */
export class IsolateState {
  readonly pools = new PoolSet();
  readonly #links = new Map<string, ControllerLink>();
  #id: string | null = null;

  /** Random id of this isolate, made on first use (Workers allow no randomness at global scope). */
  get id(): string {
    this.#id ??= crypto.randomUUID();
    return this.#id;
  }

  /** The link for a deployment. */
  link(deployment: string): ControllerLink {
    let link = this.#links.get(deployment);
    if (link === undefined) {
      link = new ControllerLink(deployment, this.id);
      this.#links.set(deployment, link);
    }
    return link;
  }
}
