// Shared builders for the workerd tests: the test env (a fresh deployment per
// test), routers playing isolates, request builders, counting wrappers for
// the controller namespace and KV, and access to the loopback origins started
// by global-setup.ts. Not a test file.
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ErrorBody } from "../../contract/errors.js";
import type { RoutingState } from "../../contract/routing.js";
import { createRouter } from "../../worker/src/app.js";
import { controllerStub } from "../../worker/src/controller-link.js";
import type { IsolateSync } from "../../worker/src/relay/relay-messages.js";
import { relayName } from "../../worker/src/relay/relay-name.js";
import { relayStub, type TelemetryRelay } from "../../worker/src/relay/relay-object.js";
import type { DeploymentController } from "../../worker/src/controller/deployment-controller.js";
import { STORAGE_KEYS } from "../../worker/src/controller/state-store.js";

/** Bindings global-setup.ts adds for tests only. */
export interface TestBindings {
  BLUE_ORIGINS: string;
  GREEN_ORIGINS: string;
  TEST_FAULTY_GREEN: string;
  TEST_RECORDER_A: string;
  TEST_RECORDER_B: string;
  TEST_ALERT_RECEIVER: string;
  TEST_DEAD_ORIGIN: string;
  TEST_FAILING_GREEN: string;
}

export const origins = env as unknown as TestBindings;
export const ADMIN_TOKEN = "test-admin-token";
export const ORIGIN_TOKEN = "test-origin-token";

let seq = 0;
/** A deployment name no other test uses (each has its own controller and KV key). */
export function uniqueDeployment(prefix = "t"): string {
  seq += 1;
  return `${prefix}-${seq}-${crypto.randomUUID().slice(0, 8)}`;
}

/** The Worker's env with a fresh deployment and the given overrides. */
export function testEnv(overrides: Partial<Record<keyof Env, unknown>> = {}): Env {
  return { ...env, DEPLOYMENT_NAME: uniqueDeployment(), ...overrides } as Env;
}

/** A router with its own isolate state (a fresh isolate). */
export function newIsolate() {
  return createRouter();
}

/** POST /predict from a location: the request's `cf.colo`, as Cloudflare sets it (the isolate takes its first one). */
export function predictFrom(colo: string, text = "a great and lovely film"): Request {
  return new Request(predictRequest(text), { cf: { colo } } as RequestInit);
}

/** A router isolate and the location its requests come from. */
export interface LocatedIsolate {
  router: Router;
  colo: string;
}

/** Fresh isolates, `count` in each named location (e.g. { LHR: 2, CDG: 2 }). */
export function isolatesIn(locations: Record<string, number>): LocatedIsolate[] {
  return Object.entries(locations).flatMap(([colo, count]) => Array.from({ length: count }, () => ({ router: newIsolate(), colo })));
}

/** One prediction through each isolate from its location, `concurrency` at a time, each with its background work settled; answers the statuses. */
export async function predictionRound(isolates: readonly LocatedIsolate[], testEnv: Env, concurrency = 10): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < isolates.length) {
        const { router, colo } = isolates[next++]!;
        const res = await sendSettled(router, testEnv, predictFrom(colo, `request ${next} was lovely`));
        statuses.push(res.status);
        await res.body?.cancel();
      }
    }),
  );
  return statuses;
}
export type Router = ReturnType<typeof newIsolate>;

export interface Sent {
  res: Response;
  ctx: ExecutionContext;
  /** Waits for the request's background work (controller sync). */
  settle(): Promise<void>;
}

/** Sends a request through a router; background work is left running until settle(). */
export async function send(router: Router, testEnv: Env, request: Request): Promise<Sent> {
  const ctx = createExecutionContext();
  const res = await router.fetch(request, testEnv, ctx);
  return { res, ctx, settle: () => waitOnExecutionContext(ctx) };
}

/** Sends a request and waits for its background work; answers the response. */
export async function sendSettled(router: Router, testEnv: Env, request: Request): Promise<Response> {
  const sent = await send(router, testEnv, request);
  await sent.settle();
  return sent.res;
}

/** POST /predict with a JSON body. */
export function predictRequest(text = "a great and lovely film", headers: Record<string, string> = {}): Request {
  return new Request("https://router.test/predict", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ text }),
  });
}

/** An admin request with a bearer token (or none). */
export function adminRequest(
  method: string,
  path: string,
  body?: unknown,
  token: string | null = ADMIN_TOKEN,
  headers: Record<string, string> = {},
): Request {
  const h: Record<string, string> = { ...headers };
  if (token !== null) h.authorization = `Bearer ${token}`;
  if (body !== undefined) h["content-type"] ??= "application/json";
  return new Request(`https://router.test${path}`, {
    method,
    headers: h,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** The deployment's controller. */
export function controller(testEnv: Env) {
  return controllerStub(testEnv, testEnv.DEPLOYMENT_NAME);
}

/** A clock a test sets: what the deployment's controller reads as now (until the object is evicted). */
export interface TestClock {
  /** Unix ms the controller reads. */
  ms: number;
  /** Unix seconds of `ms` (whole), the second a report's bucket carries. */
  readonly second: number;
}

/**
 * Makes the deployment's controller read the time from a clock the test
 * sets, starting at `startMs`: by default the latest time, at most 5 s ago,
 * that lies 2.5 s into a 5-second timeline bucket — so nothing turns over
 * between a report and a read, and nothing is dated after the real time
 * (which a successor of an evicted object reads again).
 */
export async function setControllerClock(testEnv: Env, startMs = Math.floor((Date.now() - 2_500) / 5_000) * 5_000 + 2_500): Promise<TestClock> {
  const clock = {
    ms: startMs,
    get second() {
      return Math.floor(this.ms / 1000);
    },
  };
  await runInDurableObject(controller(testEnv), (instance: DeploymentController) => {
    instance.clock = { now: () => clock.ms };
  });
  return clock;
}

/**
 * Makes the deployment's controller read `vars` over the pool's bindings:
 * a testEnv's overrides reach the isolates (the env a test passes to a
 * router) but not the Durable Objects, which have the Worker's own env.
 * Before the controller's first relay forward for REPORT_INTERVAL_MS (the
 * relays' shortest forward interval is set when their registry loads).
 */
export async function setControllerVars(testEnv: Env, vars: Record<string, string>): Promise<void> {
  await runInDurableObject(controller(testEnv), (instance: DeploymentController) => {
    const self = instance as unknown as { env: Env };
    self.env = { ...self.env, ...vars } as Env;
  });
}

/** Flips through the controller directly (not through any router's cache). */
export async function flipDirect(testEnv: Env, to: "blue" | "green", force = false) {
  const result = await controller(testEnv).flip({ to, actor: "test", force });
  if (!result.ok) throw new Error(`flip refused: ${result.message}`);
  return result.state;
}

/**
 * Flips to `to` and marks the bake as passed in the controller's storage, so
 * `to` serves in phase `stable`, where (GUARD_STABLE off) no automatic
 * rollback acts — for tests about serving and telemetry, not the rule.
 */
export async function flipStable(testEnv: Env, to: "blue" | "green"): Promise<RoutingState> {
  await flipDirect(testEnv, to);
  await runInDurableObject(controller(testEnv), (_instance, state) => {
    const routing = state.storage.kv.get<RoutingState>(STORAGE_KEYS.routing)!;
    state.storage.kv.put(STORAGE_KEYS.routing, { ...routing, phase: "stable", updatedAt: routing.updatedAt + 1, reason: "test: bake passed" });
    state.storage.kv.delete(STORAGE_KEYS.bake);
  });
  return controller(testEnv).getRoutingState();
}

export interface Counts {
  /** RPC calls on controller stubs, by method name. */
  controllerCalls: Record<string, number>;
  /** RPC calls on relay stubs (the isolates' syncs), by method name. */
  relayCalls: Record<string, number>;
  /** The relays called, by name (relayName). */
  relaysCalled: Set<string>;
  /** Relay syncs whose answer was thrown away after the relay took them (`loseSyncAnswers`). */
  lostSyncAnswers: number;
  /** Relay syncs whose answer never came after the relay took them (`hangSyncAnswers`). */
  hungSyncAnswers: number;
  /** The slowest controller or relay RPC round trip seen, in ms. */
  slowestCallMs: number;
  kvReads: number;
}

/** Total controller calls. */
export function totalCalls(counts: Counts): number {
  return Object.values(counts.controllerCalls).reduce((a, b) => a + b, 0);
}

/** What countingEnv makes fail; fields may be changed while the env is in use (a relay recovering). */
export interface Faults {
  /** Every controller call rejects (the DO unreachable). */
  failController?: boolean;
  /** Every relay call rejects, before reaching the relay. */
  failRelays?: boolean;
  /** This many relay syncs that carry outcomes reach the relay, which takes them, and then reject: the answer lost on its way back. */
  loseSyncAnswers?: number;
  /** This many relay syncs that carry outcomes reach the relay, which takes them, and then never answer. */
  hangSyncAnswers?: number;
}

type Rpc = Record<string, (...args: unknown[]) => Promise<unknown>>;

/** A namespace whose stubs count (and time) their RPC calls into `calls`, and fail when `fail()` says so. */
function countingNamespace(
  namespace: DurableObjectNamespace,
  counts: Counts,
  calls: Record<string, number>,
  fail: () => boolean,
  /** Runs on each answer; a promise it returns is what the caller gets instead (one that never settles: an answer that never comes). */
  after: (prop: string, args: unknown[], name: string | undefined) => Promise<never> | void = () => {},
) {
  return {
    idFromName: (name: string) => namespace.idFromName(name),
    get: (id: DurableObjectId) => {
      const stub = namespace.get(id) as unknown as Rpc;
      return new Proxy(
        {},
        {
          get(_t, prop) {
            if (typeof prop !== "string" || prop === "then") return undefined;
            return (...args: unknown[]) => {
              calls[prop] = (calls[prop] ?? 0) + 1;
              if (fail()) return Promise.reject(new Error("test: unreachable"));
              const startedAt = Date.now();
              return stub[prop]!(...args)
                .finally(() => {
                  counts.slowestCallMs = Math.max(counts.slowestCallMs, Date.now() - startedAt);
                })
                .then((answer) => after(prop, args, id.name) ?? answer);
            };
          },
        },
      );
    },
  };
}

/**
 * The env with DEPLOYMENTS, RELAYS and ROUTING wrapped to count (and time)
 * the isolates' controller and relay RPC calls and count KV reads, and to
 * fail them as `faults` says (read at each call). The relays' own forwards to
 * the controller use the relays' env: they are neither counted nor failed
 * here (relayUpstream does that).
 */
export function countingEnv(base: Env, faults: Faults = {}): { env: Env; counts: Counts } {
  const counts: Counts = { controllerCalls: {}, relayCalls: {}, relaysCalled: new Set(), lostSyncAnswers: 0, hungSyncAnswers: 0, slowestCallMs: 0, kvReads: 0 };
  const deployments = countingNamespace(base.DEPLOYMENTS, counts, counts.controllerCalls, () => faults.failController === true);
  const relays = countingNamespace(base.RELAYS, counts, counts.relayCalls, () => faults.failRelays === true, (prop, args, name) => {
    if (name !== undefined) counts.relaysCalled.add(name);
    const carries = prop === "sync" && ((args[0] as IsolateSync).batches.length > 0);
    if (carries && (faults.loseSyncAnswers ?? 0) > 0) {
      faults.loseSyncAnswers! -= 1;
      counts.lostSyncAnswers += 1;
      throw new Error("test: the relay's answer was lost");
    }
    if (carries && (faults.hangSyncAnswers ?? 0) > 0) {
      faults.hangSyncAnswers! -= 1;
      counts.hungSyncAnswers += 1;
      return new Promise<never>(() => {});
    }
  });
  const kv = base.ROUTING;
  const routing = {
    get: (...args: Parameters<KVNamespace["get"]>) => {
      counts.kvReads += 1;
      return (kv.get as (...a: unknown[]) => Promise<unknown>)(...args);
    },
    put: (...args: Parameters<KVNamespace["put"]>) => kv.put(...args),
  };
  return { env: { ...base, DEPLOYMENTS: deployments, RELAYS: relays, ROUTING: routing } as unknown as Env, counts };
}

/** The stub of a deployment's relay for a location and shard. */
export function relay(testEnv: Env, colo: string, shard = 0): DurableObjectStub<TelemetryRelay> {
  return relayStub(testEnv, relayName(testEnv.DEPLOYMENT_NAME, colo, shard));
}

/** What relayUpstream makes of a relay's forwards; fields may be changed while in use (a controller recovering). */
export interface UpstreamFaults {
  /** Every forward fails before reaching the controller (unreachable, or refused as overloaded). */
  fail?: boolean;
  /** This many forwards that carry batches reach the controller, which counts them, and then reject: the answer lost. */
  loseAnswers?: number;
  /** This many forwards that carry batches reach the controller, which counts them, and then never answer. */
  hangAnswers?: number;
  /** The relay's forward timeout for the test (TelemetryRelay.forwardTimeoutMs). */
  forwardTimeoutMs?: number;
}

/** Forwards and failures of one relay, as relayUpstream counts them. */
export interface UpstreamCounts {
  forwards: number;
  failed: number;
  lostAnswers: number;
  /** Forwards whose answer never came (`hangAnswers`). */
  hungAnswers: number;
}

/**
 * Puts a wrapper between a relay and its controller (the relay object's
 * `upstream` seam) that counts its forwards and fails or loses them as
 * `faults` says. The relay instance is created if it is not running yet.
 */
export async function relayUpstream(stub: DurableObjectStub<TelemetryRelay>, faults: UpstreamFaults = {}): Promise<UpstreamCounts> {
  const counts: UpstreamCounts = { forwards: 0, failed: 0, lostAnswers: 0, hungAnswers: 0 };
  await runInDurableObject(stub, (instance: TelemetryRelay) => {
    const real = instance.upstream;
    if (faults.forwardTimeoutMs !== undefined) instance.forwardTimeoutMs = faults.forwardTimeoutMs;
    instance.upstream = (deployment) => ({
      forward: async (forward) => {
        counts.forwards += 1;
        if (faults.fail) {
          counts.failed += 1;
          throw Object.assign(new Error("test: controller overloaded"), { overloaded: true });
        }
        const answer = await real(deployment).forward(forward);
        if (forward.batches.length > 0 && (faults.loseAnswers ?? 0) > 0) {
          faults.loseAnswers! -= 1;
          counts.lostAnswers += 1;
          throw new Error("test: the controller's answer was lost");
        }
        if (forward.batches.length > 0 && (faults.hangAnswers ?? 0) > 0) {
          faults.hangAnswers! -= 1;
          counts.hungAnswers += 1;
          return new Promise<never>(() => {});
        }
        return answer;
      },
    });
  });
  return counts;
}

/** What a recorder origin received for a test id. */
export async function recorded(
  recorderUrl: string,
  testId: string,
): Promise<Array<{ origin: string; method: string; path: string; headers: Record<string, string>; body: string }>> {
  const res = await fetch(`${recorderUrl}/__recorded?testId=${encodeURIComponent(testId)}`);
  const json = (await res.json()) as { requests: Array<{ origin: string; method: string; path: string; headers: Record<string, string>; body: string }> };
  return json.requests;
}

/** Polls `check` every 50 ms until it answers a value other than undefined, for at most `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The controller's slow-window figures of a colour once they count at least
 * `requests` (relays forward in the background, so a request's outcome
 * reaches the windows a little after the request's own work has settled).
 */
export async function slowWindowOnce(testEnv: Env, color: "blue" | "green", requests: number, timeoutMs = 5_000) {
  let last = 0;
  try {
    return await waitFor(
      `${requests} ${color} requests in the controller's windows`,
      async () => {
        const slow = (await controller(testEnv).status()).metrics[color].slow;
        last = slow.requests;
        return slow.requests >= requests ? slow : undefined;
      },
      timeoutMs,
    );
  } catch (err) {
    throw new Error(`${String(err)} (the windows hold ${last})`);
  }
}

/** The alert texts that reached the test alert receiver (ALERT_WEBHOOK_URL) for a deployment, oldest first, with the status each was answered. */
export async function alertsFor(deployment: string): Promise<Array<{ text: string; status: number; path: string }>> {
  const res = await fetch(`${origins.TEST_ALERT_RECEIVER}/__recorded?testId=`);
  const { requests } = (await res.json()) as { requests: Array<{ body: string; status: number; path: string }> };
  return requests
    .filter((r) => r.body.includes(`[bluegreen ${deployment}]`))
    .map((r) => ({ text: (JSON.parse(r.body) as { text: string }).text, status: r.status, path: r.path }));
}

/** Makes the alert receiver answer `status` to the next `times` alerts of a deployment. */
export async function failAlerts(deployment: string, times: number, status = 503): Promise<void> {
  const res = await fetch(`${origins.TEST_ALERT_RECEIVER}/__fail`, {
    method: "PUT",
    body: JSON.stringify({ match: `[bluegreen ${deployment}]`, times, status }),
  });
  if (res.status !== 204) throw new Error(`PUT /__fail answered ${res.status}`);
}

/** Changes a FAULT_CONTROL=1 model server's faults at run time. */
export async function setFault(url: string, fault: { rate?: number; latencyMs?: number }): Promise<void> {
  const res = await fetch(`${url}/fault`, {
    method: "PUT",
    headers: { "content-type": "application/json", "x-origin-token": ORIGIN_TOKEN },
    body: JSON.stringify(fault),
  });
  if (res.status !== 200) throw new Error(`PUT /fault answered ${res.status}: ${await res.text()}`);
}

/** The error of an error answer (asserting the envelope). */
export async function errorOf(res: Response): Promise<ErrorBody["error"]> {
  // Strictly the contract's envelope: an error answer in any other shape fails the test that reads it.
  return ErrorBody.parse(await res.json()).error;
}
