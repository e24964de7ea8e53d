/**
 * The router Worker wrapped for the bench's cost measurement: the same
 * worker/src/index.ts (bundled in as "bluegreen-router-entry"), with its
 * DEPLOYMENTS and RELAYS namespaces and ROUTING KV wrapped in counters —
 * every RPC call on a controller or relay stub is one DO call, every KV get
 * is one KV read — and
 * GET /__bench/counters answering the totals. Runs only in the bench's own
 * workerd; the Worker's code is unchanged. Typed loosely on purpose: it only
 * forwards what it is given (the Worker's own types live in worker/).
 */
import worker from "bluegreen-router-entry";

export { DeploymentController, TelemetryRelay } from "bluegreen-router-entry";

type Env = Record<string, unknown>;
type AnyFn = (...args: unknown[]) => unknown;

/** Totals since the isolate started. */
const counts = { predictions: 0, requests: 0, doCalls: 0, doCallsByMethod: {} as Record<string, number>, kvReads: 0 };
/** One wrapped env per original env object, so the Worker's per-env config cache keeps working. */
const wrapped = new WeakMap<object, Env>();

/** The stub with each RPC method counted. A plain object, not a Proxy: workerd cannot send a Proxy'd stub as `this`. */
function countingStub(stub: Record<string, unknown>): object {
  return new Proxy(
    {},
    {
      get(_shell, prop) {
        if (typeof prop !== "string" || prop === "then") return undefined;
        return (...args: unknown[]) => {
          counts.doCalls += 1;
          counts.doCallsByMethod[prop] = (counts.doCallsByMethod[prop] ?? 0) + 1;
          return (stub[prop] as AnyFn)(...args);
        };
      },
    },
  );
}

function countingNamespace(ns: { get(id: unknown, opts?: unknown): object }): object {
  return new Proxy(ns, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop === "get" && typeof value === "function") return (id: unknown, opts?: unknown) => countingStub((value as AnyFn).call(target, id, opts) as Record<string, unknown>);
      return typeof value === "function" ? (value as AnyFn).bind(target) : value;
    },
  });
}

function countingKv(kv: object): object {
  return new Proxy(kv, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      if (prop === "get" || prop === "getWithMetadata") {
        return (...args: unknown[]) => {
          counts.kvReads += 1;
          return (value as AnyFn).apply(target, args);
        };
      }
      return (value as AnyFn).bind(target);
    },
  });
}

function wrapEnv(env: Env): Env {
  let w = wrapped.get(env);
  if (w === undefined) {
    // The isolates' calls: relay syncs (RELAYS) and the rare direct controller call; the relays' own forwards run in their objects, uncounted.
    w = { ...env, DEPLOYMENTS: countingNamespace(env.DEPLOYMENTS as never), RELAYS: countingNamespace(env.RELAYS as never), ROUTING: countingKv(env.ROUTING as object) };
    wrapped.set(env, w);
  }
  return w;
}

export default {
  fetch(request: Request, env: Env, ctx: unknown): Promise<Response> | Response {
    const { pathname } = new URL(request.url);
    if (pathname === "/__bench/counters") return Response.json(counts);
    counts.requests += 1;
    if (pathname.startsWith("/predict")) counts.predictions += 1;
    return worker.fetch(request, wrapEnv(env), ctx);
  },
  scheduled(controller: unknown, env: Env, ctx: unknown): unknown {
    return worker.scheduled(controller, wrapEnv(env), ctx);
  },
};
