/**
 * The relay Durable Object (docs/scale.md): one per location and shard,
 * named `<deployment>/relay/<colo>/<shard>` (relay-name.ts). It wraps one
 * RelayCore — the protocol's logic, pure — and does what it decides: takes
 * its isolates' syncs, forwards the merged batches to the deployment's
 * controller when forwardReason() says so (after a sync, or on its alarm),
 * retries a failed forward, and keeps the state the controller pushes.
 *
 * It stores nothing but its alarm: everything lives in memory, and a
 * restarted relay is a new incarnation that numbers its batches from 1
 * again (the controller keys batch numbers by relay and incarnation, so
 * nothing is counted twice). What a restart loses: the outcomes it had
 * acknowledged to its isolates and not yet handed to the controller — at
 * most one forward interval's worth, or what piled up while the controller
 * was unreachable (docs/storage.md "Durable Object TelemetryRelay").
 */
import { DurableObject } from "cloudflare:workers";
import { RoutingStateSchema, type RoutingState } from "../../../contract/routing.js";
import type { DeploymentController } from "../controller/deployment-controller.js";
import { within } from "../bounded-call.js";
import { parseRpc } from "../controller/rpc-schemas.js";
import { alarmToSet } from "./relay-alarm.js";
import { RelayCore } from "./relay-core.js";
import { checkedBuckets, ForwardAnswerSchema, IsolateSyncEnvelope, type ForwardAnswer, type IsolateSync, type RelayAnswer, type RelayForward } from "./relay-messages.js";
import { parseRelayName } from "./relay-name.js";

/** A relay without a state waits at most this long for its first forward before answering an isolate (a new controller probes its origins first, 3 s at most). */
export const COLD_ANSWER_MAX_WAIT_MS = 4_000;

/**
 * A forward not answered within this long counts as failed (bounded-call.ts)
 * and goes again after RELAY_RETRY_MS; the controller's forward does no I/O
 * but a KV write, so this is far beyond a healthy one.
 */
export const RELAY_FORWARD_TIMEOUT_MS = 5_000;

/** Where a relay sends its forwards: the controller's forward RPC. */
export interface Upstream {
  forward(forward: RelayForward): Promise<ForwardAnswer>;
}

/** The controller stub of a deployment (typed: the generated Env cannot name the class). */
function controllerOf(env: Env, deployment: string): Upstream {
  const namespace = env.DEPLOYMENTS as DurableObjectNamespace<DeploymentController>;
  return namespace.get(namespace.idFromName(deployment));
}

/** One location's (and shard's) relay between its isolates and the deployment's controller. */
export class TelemetryRelay extends DurableObject<Env> {
  /**
   * Where forwards go: the deployment's controller. Tests replace it through
   * runInDurableObject to lose an answer or fail the controller; an instance
   * field is not reachable over RPC.
   */
  upstream: (deployment: string) => Upstream = (deployment) => controllerOf(this.env, deployment);
  /** How long a forward may take before it counts as failed (tests shorten it through runInDurableObject). */
  forwardTimeoutMs = RELAY_FORWARD_TIMEOUT_MS;
  #core: RelayCore | null = null;
  #deployment = "";
  /** The forward in flight, if any. */
  #forwarding: Promise<void> | null = null;
  /** The alarm this instance has set (null: none, or fired); moved only sooner while it is ahead, as setAlarm replaces it. */
  #alarmAtMs: number | null = null;

  /**
   * Takes an isolate's sync: its new batches merged (each once); answers the
   * relay's state and the acknowledgement. `relay`: the name the isolate
   * called (see #relay).
   */
  async sync(request: IsolateSync, relay?: string): Promise<RelayAnswer> {
    const core = this.#relay(relay);
    const envelope = parseRpc(IsolateSyncEnvelope, request, "isolate sync");
    let invalid = 0;
    const batches = envelope.batches.map(({ seq, buckets }) => {
      const checked = checkedBuckets(buckets);
      invalid += checked.invalid;
      return { seq, buckets: checked.buckets };
    });
    if (invalid > 0) console.warn(`relay ${core.relay}: dropped ${invalid} malformed buckets from ${envelope.isolateId}`);
    const nowMs = Date.now();
    const answer = core.sync({ isolateId: envelope.isolateId, batches }, nowMs);
    // Forwarding is the relay's own business: the isolate's answer does not wait for the controller…
    this.#afterWork(nowMs).catch((err: unknown) => console.error(`relay ${core.relay}: forwarding failed`, err));
    if (answer.state !== null || this.#forwarding === null) return answer;
    // …except on a relay that has no state yet (just started): its first forward brings one, and a cold
    // isolate of a new deployment (nothing in KV) needs it to serve at all.
    // Past the wait it answers without one (the forward goes on).
    await within(this.#forwarding, COLD_ANSWER_MAX_WAIT_MS, "the first forward").catch(() => undefined);
    return { ...answer, state: core.cache.state, shards: core.shards };
  }

  /** Takes a state the controller pushed after a change (to `relay`, the name it called); answers whether it was newer than the one held. */
  async push(state: RoutingState, relay?: string): Promise<boolean> {
    return this.#relay(relay).push(parseRpc(RoutingStateSchema, state, "pushed routing state"));
  }

  /**
   * Forwards what is due (outcomes left when the isolates stopped calling, a
   * retry); re-arms only while there is work. An instance the alarm started
   * (after a restart: an alarm set by the one before) holds nothing yet, so
   * it has nothing to do.
   */
  override async alarm(): Promise<void> {
    this.#alarmAtMs = null;
    if (this.#core === null) return;
    await this.#afterWork(Date.now());
  }

  /** After any call or alarm: forward if due (and again after it, while due), else arm the alarm for when it will be. */
  async #afterWork(nowMs: number): Promise<void> {
    const core = this.#relay();
    if (core.forwardReason(nowMs) === null) {
      this.#arm(core.nextCheckAtMs());
      return;
    }
    this.#forwarding = this.#forward(core, core.beginForward(nowMs));
    await this.#forwarding;
    this.#forwarding = null;
    await this.#afterWork(Date.now());
  }

  /** One forward to the controller, its answer taken or its failure noted; never throws. */
  async #forward(core: RelayCore, forward: RelayForward): Promise<void> {
    try {
      const call = this.upstream(this.#deployment).forward(forward);
      const answer = parseRpc(ForwardAnswerSchema, await within(call, this.forwardTimeoutMs, "forward to the controller"), "controller's forward answer");
      core.forwardSucceeded(answer);
    } catch (err) {
      // Overloaded, unreachable, unanswered or answer lost: the batches stay numbered and go again after RELAY_RETRY_MS.
      core.forwardFailed(Date.now());
      console.warn(`relay ${core.relay}: forward to controller ${this.#deployment} failed; retrying with the next one`, String(err));
    }
  }

  /** Sets the alarm for `wantedAtMs` unless one this instance set, still ahead, comes sooner (relay-alarm.ts). */
  #arm(wantedAtMs: number | null): void {
    const atMs = alarmToSet(wantedAtMs, this.#alarmAtMs, Date.now());
    if (atMs === null) return;
    this.#alarmAtMs = atMs;
    this.ctx.storage.setAlarm(atMs).catch((err: unknown) => {
      this.#alarmAtMs = null;
      console.error(`relay ${this.#relay().relay}: setting the alarm failed (the next call tries again)`, err);
    });
  }

  /**
   * The relay's core, made on first use from the object's name (a random
   * incarnation: this instance's batch numbers are its own). An instance
   * started by its alarm has no `ctx.id.name` (the runtime does not keep it
   * for alarms), and keeps that id for the calls that follow; those calls
   * name the relay they meant, taken when it is this object's name.
   */
  #relay(called?: string): RelayCore {
    if (this.#core !== null) return this.#core;
    const name = this.ctx.id.name ?? this.#ownName(called);
    const parsed = parseRelayName(name);
    if (parsed === null) throw new TypeError(`a relay must be reached by a name relayName() makes, got ${String(name)}`);
    this.#deployment = parsed.deployment;
    this.#core = new RelayCore(name!, crypto.randomUUID(), parsed.colo);
    return this.#core;
  }

  /** `called` when it is the name of this very object, else undefined. */
  #ownName(called: string | undefined): string | undefined {
    if (called === undefined) return undefined;
    const namespace = this.env.RELAYS as DurableObjectNamespace<TelemetryRelay>;
    return namespace.idFromName(called).equals(this.ctx.id) ? called : undefined;
  }
}

/** The stub of the relay named `name` (relayName) — typed: the generated Env cannot name the class. */
export function relayStub(env: Env, name: string): DurableObjectStub<TelemetryRelay> {
  const namespace = env.RELAYS as DurableObjectNamespace<TelemetryRelay>;
  return namespace.get(namespace.idFromName(name));
}
