/**
 * The Worker the service-time measurement runs in local workerd
 * (measure-service-time.ts): the real DeploymentController (bundled from
 * worker/src/index.ts as "bluegreen-router-entry", unchanged) and a relay
 * fixture, MeasureRelay — a Durable Object around the real pure relay logic
 * (worker/src/relay/relay-core.ts), the way the Worker's relay will wrap it.
 * GET /__measure/<what>?n=…&concurrency=… makes n calls with `concurrency`
 * in flight and answers how long they took in all; MeasureStorage times the
 * controller's windows write. Typed loosely where it
 * only forwards (the Worker's own types live in worker/).
 */
import { DurableObject } from "cloudflare:workers";
import { MetricWindows } from "../../../worker/src/controller/metric-windows.js";
import { RelayCore } from "../../../worker/src/relay/relay-core.js";
import type { IsolateSync, RelayAnswer } from "../../../worker/src/relay/relay-messages.js";
import type { RoutingState } from "../../../contract/routing.js";
import type { SecondBucket } from "../../../contract/telemetry.js";
import worker from "bluegreen-router-entry";

export { DeploymentController } from "bluegreen-router-entry";

type MeasureEnv = { DEPLOYMENTS: DurableObjectNamespace; RELAYS: DurableObjectNamespace; STORAGE: DurableObjectNamespace; DEPLOYMENT_NAME: string };
type AnyStub = Record<string, (...args: unknown[]) => Promise<unknown>>;

/** A relay instance for measuring: the real RelayCore behind two RPC methods. */
export class MeasureRelay extends DurableObject {
  readonly #core = new RelayCore("measure/relay/LHR/0", crypto.randomUUID(), "LHR");

  /** An isolate's sync (no forward: only the relay's own work is measured). */
  async sync(request: IsolateSync): Promise<RelayAnswer> {
    const nowMs = Date.now();
    const answer = this.#core.sync(request, nowMs);
    this.#core.forwardReason(nowMs);
    return answer;
  }

  /** The controller's push of a changed state. */
  async push(state: RoutingState): Promise<boolean> {
    return this.#core.push(state);
  }

  /** Pushes `state` to `k` other relays at once, as the controller will after a change; answers the elapsed ms. */
  async fanOut(k: number, state: RoutingState): Promise<number> {
    const ns = (this.env as unknown as MeasureEnv).RELAYS;
    const started = Date.now();
    await Promise.allSettled(Array.from({ length: k }, (_, i) => (ns.get(ns.idFromName(`target-${i}`)) as unknown as AnyStub).push!(state)));
    return Date.now() - started;
  }
}

/**
 * The controller's windows write (TrafficMemory.saveWindows: the windows JSON
 * of a full slow window, both colours) done n times in a row, in a
 * SQLite-backed object like the controller's: from outside, its cost per
 * write. (Inside workerd the clock stands still during synchronous work, so
 * the write cannot be timed from within.)
 */
export class MeasureStorage extends DurableObject {
  /** Writes a full windows JSON n times; answers its size in bytes. */
  async writeWindows(n: number): Promise<number> {
    const windows = new MetricWindows(60);
    for (let s = 0; s < 60; s++) for (const color of ["blue", "green"] as const) windows.add(bucketAt(1_000_000 + s, color), 1_000_059);
    const json = windows.toJSON();
    for (let i = 0; i < n; i++) this.ctx.storage.kv.put("windows", json);
    return JSON.stringify(json).length;
  }
}

function bucketAt(second: number, color: "blue" | "green"): SecondBucket {
  return { second, color, counts: { requests: 100, errors: { http5xx: 1, timeout: 0, connect: 0 }, latency: [0, 2, 10, 30, 25, 15, 8, 5, 3, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0] } };
}

/** A report as an isolate (2 buckets) or a relay (more) sends it: this second and the last, a realistic latency spread. */
function buckets(count: number, nowMs: number): SecondBucket[] {
  const second = Math.floor(nowMs / 1000);
  return Array.from({ length: count }, (_, i) => ({
    second: second - Math.floor(i / 2),
    color: i % 2 === 0 ? "blue" : "green",
    counts: {
      requests: 100,
      errors: { http5xx: 1, timeout: 0, connect: 0 },
      latency: [0, 2, 10, 30, 25, 15, 8, 5, 3, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
    },
  }));
}

/** Runs `call` n times with `concurrency` in flight; answers the elapsed ms. */
async function drive(n: number, concurrency: number, call: (i: number) => Promise<unknown>): Promise<number> {
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await call(next++);
    }),
  );
  return Date.now() - started;
}

const seqs = new Map<string, number>();
const STATE: RoutingState = { active: "blue", epoch: 2, phase: "stable", updatedAt: 1, reason: "measure", health: { blue: "healthy", green: "healthy" } };

export default {
  async fetch(request: Request, env: MeasureEnv, ctx: unknown): Promise<Response> {
    const url = new URL(request.url);
    if (!url.pathname.startsWith("/__measure/")) return worker.fetch(request, env as never, ctx);
    const what = url.pathname.slice("/__measure/".length);
    const n = Number(url.searchParams.get("n") ?? "1000");
    const concurrency = Number(url.searchParams.get("concurrency") ?? "1");
    const bucketCount = Number(url.searchParams.get("buckets") ?? "2");
    const controller = env.DEPLOYMENTS.get(env.DEPLOYMENTS.idFromName(env.DEPLOYMENT_NAME)) as unknown as AnyStub;
    const relay = env.RELAYS.get(env.RELAYS.idFromName("measure-relay")) as unknown as AnyStub;
    let ms: number;
    switch (what) {
      case "report":
        ms = await drive(n, concurrency, (i) => controller.report!({ isolateId: `isolate-${i % 500}`, buckets: buckets(bucketCount, Date.now()) }));
        break;
      case "state":
        ms = await drive(n, concurrency, () => controller.getRoutingState!());
        break;
      case "relay":
        await relay.push!(STATE);
        ms = await drive(n, concurrency, (i) => {
          const isolateId = `isolate-${i % 500}`;
          const seq = (seqs.get(isolateId) ?? 0) + 1;
          seqs.set(isolateId, seq);
          return relay.sync!({ isolateId, batches: [{ seq, buckets: buckets(bucketCount, Date.now()) }] });
        });
        break;
      case "save": {
        const storage = env.STORAGE.get(env.STORAGE.idFromName("measure-storage")) as unknown as AnyStub;
        const bytes = (await storage.writeWindows!(n)) as number;
        return Response.json({ what, n, bytes });
      }
      case "fanout": {
        const k = Number(url.searchParams.get("k") ?? "100");
        ms = 0;
        for (let r = 0; r < n; r++) ms += (await relay.fanOut!(k, { ...STATE, epoch: STATE.epoch + r + 1 })) as number;
        return Response.json({ what, n, k, ms });
      }
      default:
        return Response.json({ error: { code: "not_found", message: `no measurement "${what}"` } }, { status: 404 });
    }
    return Response.json({ what, n, concurrency, buckets: bucketCount, ms });
  },
};
