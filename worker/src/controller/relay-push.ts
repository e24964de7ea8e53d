/**
 * The controller's push of a changed routing state to its relays
 * (docs/scale.md): one `push` call per relay heard from recently, all at
 * once; a relay that misses it takes the state from its next forward's
 * answer, so a failure is only counted and named for the log.
 */
import type { RoutingState } from "../../../contract/routing.js";
import { relayStub } from "../relay/relay-object.js";

/** What a push achieved: the relays it failed for, each with its error. */
export interface PushOutcome {
  targets: number;
  failed: string[];
}

/** Sends `state` to every relay in `targets` (relay names); never throws. */
export async function pushToRelays(env: Env, targets: readonly string[], state: RoutingState): Promise<PushOutcome> {
  const results = await Promise.allSettled(targets.map((name) => relayStub(env, name).push(state, name)));
  const failed = results.flatMap((r, i) => (r.status === "rejected" ? [`${targets[i]}: ${String(r.reason)}`] : []));
  return { targets: targets.length, failed };
}
