/**
 * The routing state's life in the Worker (its shape is the contract's,
 * contract/routing.ts): the initial state, its KV copy, and the per-isolate
 * cache that the hot path reads. The DeploymentController is the authority;
 * KV holds its durable, globally cached copy; each isolate keeps the newest
 * state it has seen in memory (controller-link.ts refreshes it).
 */
import { otherColor, type Color } from "../../contract/colors.js";
import { RoutingStateSchema, type RoutingState } from "../../contract/routing.js";

/** Epoch a new deployment starts at (blue active, phase stable). */
export const INITIAL_EPOCH = 1;

/** The state of a deployment nobody has flipped yet. */
export function initialRoutingState(nowMs: number): RoutingState {
  return {
    active: "blue",
    epoch: INITIAL_EPOCH,
    phase: "stable",
    updatedAt: nowMs,
    reason: "new deployment",
    health: { blue: "unknown", green: "unknown" },
  };
}

/** The KV key holding a deployment's routing state (docs/storage.md). */
export function routingKvKey(deployment: string): string {
  return `routing:${deployment}`;
}

/** KV edge-cache time for the routing key; KV's minimum is 60 s. */
export const KV_CACHE_TTL_SECONDS = 60;

/** Reads the KV copy; null when absent or unreadable (logged, never thrown at a client). */
export async function readRoutingFromKv(kv: KVNamespace, deployment: string): Promise<RoutingState | null> {
  const raw = await kv.get(routingKvKey(deployment), { type: "json", cacheTtl: KV_CACHE_TTL_SECONDS });
  if (raw === null) return null;
  const parsed = RoutingStateSchema.safeParse(raw);
  if (!parsed.success) {
    console.error(`routing-state: KV copy of "${deployment}" does not parse; ignoring it`, parsed.error.issues);
    return null;
  }
  return parsed.data;
}

/** True when `a` is a later state than `b` (epoch first, then updatedAt). */
export function isNewer(a: RoutingState, b: RoutingState): boolean {
  return a.epoch > b.epoch || (a.epoch === b.epoch && a.updatedAt > b.updatedAt);
}

/** The colour that is not active. */
export function standbyOf(state: RoutingState): Color {
  return otherColor(state.active);
}

/** Where the isolate's copy came from. */
export type RoutingSource = "controller" | "kv";

/** One isolate's copy of one deployment's routing state. */
export class RoutingCache {
  #state: RoutingState | null = null;
  #source: RoutingSource | null = null;

  /** The newest state seen, or null in a cold isolate. */
  get state(): RoutingState | null {
    return this.#state;
  }

  get source(): RoutingSource | null {
    return this.#source;
  }

  /** Keeps `next` if it is not older than what we have; answers whether it was kept. */
  accept(next: RoutingState, source: RoutingSource): boolean {
    const current = this.#state;
    if (current !== null && isNewer(current, next)) return false;
    this.#state = next;
    this.#source = source;
    return true;
  }
}
