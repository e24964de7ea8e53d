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
  /** The slowest controller RPC round trip seen, in ms. */
  slowestCallMs: number;
  kvReads: number;
}

/** Total controller calls. */
export function totalCalls(counts: Counts): number {
  return Object.values(counts.controllerCalls).reduce((a, b) => a + b, 0);
}

/**
 * The env with DEPLOYMENTS and ROUTING wrapped to count (and time) controller
 * RPC calls and count KV reads. `failController` makes every controller call reject (the DO
 * unreachable).
 */
export function countingEnv(base: Env, opts: { failController?: boolean } = {}): { env: Env; counts: Counts } {
  const counts: Counts = { controllerCalls: {}, slowestCallMs: 0, kvReads: 0 };
  const namespace = base.DEPLOYMENTS;
  const deployments = {
    idFromName: (name: string) => namespace.idFromName(name),
    get: (id: DurableObjectId) => {
      const stub = namespace.get(id) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      return new Proxy(
        {},
        {
          get(_t, prop) {
            if (typeof prop !== "string" || prop === "then") return undefined;
            return (...args: unknown[]) => {
              counts.controllerCalls[prop] = (counts.controllerCalls[prop] ?? 0) + 1;
              if (opts.failController) return Promise.reject(new Error("test: controller unreachable"));
              const startedAt = Date.now();
              return stub[prop]!(...args).finally(() => {
                counts.slowestCallMs = Math.max(counts.slowestCallMs, Date.now() - startedAt);
              });
            };
          },
        },
      );
    },
  };
  const kv = base.ROUTING;
  const routing = {
    get: (...args: Parameters<KVNamespace["get"]>) => {
      counts.kvReads += 1;
      return (kv.get as (...a: unknown[]) => Promise<unknown>)(...args);
    },
    put: (...args: Parameters<KVNamespace["put"]>) => kv.put(...args),
  };
  return { env: { ...base, DEPLOYMENTS: deployments, ROUTING: routing } as unknown as Env, counts };
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
