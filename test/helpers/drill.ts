/**
 * Building blocks for the end-to-end rollback drills (test/e2e/): a paced,
 * open-loop load generator that sends real HTTP predictions through the
 * router at a fixed rate (single texts or batches, a fixed drill text or
 * seeded draws from given texts such as the golden set's) and keeps every
 * answer's colour, epoch and failover header and its model_version (or
 * error code); the admin calls the drills
 * make; run-time faults and the prediction count of a model server; and a
 * bounded wait. Everything is loopback.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { RouterHandle } from "./router.js";
import { seededRandom } from "./seeded-random.js";

/** One prediction sent through the router. */
export interface Sample {
  i: number;
  /** Unix ms the request was sent, and its answer (or failure) came. */
  sentAt: number;
  doneAt: number;
  /** HTTP status; null when no answer came. */
  status: number | null;
  /** x-bluegreen-color, x-bluegreen-epoch, x-bluegreen-failover of the answer. */
  color: string | null;
  epoch: number | null;
  failover: string | null;
  /** The answer's `model_version` (200 answers), or `error.code` (error answers); null when the body had none. */
  modelVersion: string | null;
  errorCode: string | null;
  error?: string;
}

export interface Load {
  readonly samples: Sample[];
  /** Requests sent so far. */
  sent(): number;
  /** Stops sending and waits for the answers in flight; answers every sample, in send order. */
  stop(): Promise<Sample[]>;
}

export interface LoadOptions {
  /** Requests per second (open loop: slow answers do not slow the sending). */
  perSecond: number;
  /** Hard stop, whatever the test does (default 5 minutes). */
  maxDurationMs?: number;
  /** Requests in flight at most; beyond it a send waits (default 500). */
  maxInFlight?: number;
  /** Per-request timeout (default 15 s). */
  timeoutMs?: number;
  /** When set, request i carries `x-request-id: <prefix><i>`, which the router passes on to the origin attempts (their log lines). */
  requestIdPrefix?: string;
  /** Texts to draw each prediction's text from (uniformly, seeded: `seed`), e.g. the golden set's; default one fixed drill text. */
  texts?: readonly string[];
  /** Seed of the draws from `texts` (default 1). */
  seed?: number;
  /** When set, each request is a POST /predict/batch of this many texts instead of a POST /predict. */
  batch?: number;
}


/** The facts a sample keeps from an answer's body: a prediction's model_version, or an error's code. */
function bodyFacts(text: string): { modelVersion: string | null; errorCode: string | null } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { modelVersion: null, errorCode: null };
  }
  const o = (json ?? {}) as { model_version?: unknown; error?: { code?: unknown } };
  return {
    modelVersion: typeof o.model_version === "string" ? o.model_version : null,
    errorCode: typeof o.error?.code === "string" ? o.error.code : null,
  };
}

/** Starts sending POST /predict to the router at `perSecond`, each at its own slot in time. */
export function startLoad(routerUrl: string, opts: LoadOptions): Load {
  const samples: Sample[] = [];
  const inFlight = new Set<Promise<void>>();
  const intervalMs = 1000 / opts.perSecond;
  const maxDurationMs = opts.maxDurationMs ?? 300_000;
  const maxInFlight = opts.maxInFlight ?? 500;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const startedAt = Date.now();
  let running = true;
  let sent = 0;
  const random = seededRandom(opts.seed ?? 1);
  const { texts, batch } = opts;
  const text = (i: number) => (texts === undefined ? `drill request ${i}: the service works and the answer was good` : texts[Math.floor(random() * texts.length)]!);
  // Drawn when the request is sent, in send order: the same seed sends the same texts.
  const requestBody = (i: number) => JSON.stringify(batch === undefined ? { text: text(i) } : { texts: Array.from({ length: batch }, () => text(i)) });

  const one = async (i: number): Promise<void> => {
    const sentAt = Date.now();
    try {
      const res = await fetch(`${routerUrl}/predict${batch === undefined ? "" : "/batch"}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(opts.requestIdPrefix === undefined ? {} : { "x-request-id": `${opts.requestIdPrefix}${i}` }) },
        body: requestBody(i),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = bodyFacts(await res.text());
      const epoch = res.headers.get("x-bluegreen-epoch");
      samples.push({
        i,
        sentAt,
        doneAt: Date.now(),
        status: res.status,
        color: res.headers.get("x-bluegreen-color"),
        epoch: epoch === null ? null : Number(epoch),
        failover: res.headers.get("x-bluegreen-failover"),
        ...body,
      });
    } catch (err) {
      samples.push({ i, sentAt, doneAt: Date.now(), status: null, color: null, epoch: null, failover: null, modelVersion: null, errorCode: null, error: String(err) });
    }
  };

  const loop = (async () => {
    while (running && Date.now() - startedAt < maxDurationMs) {
      const slot = startedAt + sent * intervalMs;
      const wait = slot - Date.now();
      if (wait > 0) await sleep(wait);
      if (!running) break;
      if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      const p: Promise<void> = one(sent).finally(() => inFlight.delete(p));
      inFlight.add(p);
      sent++;
    }
  })();

  return {
    samples,
    sent: () => sent,
    async stop() {
      running = false;
      await loop;
      await Promise.all(inFlight);
      return [...samples].sort((a, b) => a.i - b.i);
    },
  };
}

/** What the admin calls need of a router: an in-process one (startRouter) or the `npm start` launcher's. */
export type AdminTarget = Pick<RouterHandle, "url" | "adminToken">;

/** Calls the router's admin API; answers the JSON body (throws on a non-2xx). */
export async function admin<T = any>(router: AdminTarget, method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<T> {
  const { status, json } = await adminAnswer<T>(router, method, path, body);
  if (status < 200 || status > 299) throw new Error(`${method} ${path} answered ${status}: ${JSON.stringify(json)}`);
  return json;
}

/** Calls the router's admin API; answers the status and JSON body whatever the status (for refusals). */
export async function adminAnswer<T = any>(router: AdminTarget, method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${router.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${router.adminToken}`,
      "x-bluegreen-actor": "drill",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, json: (await res.json()) as T };
}

/** A model server's prediction count since start (`request_count` of GET /health): origin attempts, faults included. */
export async function predictionCount(serverUrl: string): Promise<number> {
  const res = await fetch(`${serverUrl}/health`, { signal: AbortSignal.timeout(5_000) });
  const body = (await res.json()) as { request_count?: unknown };
  if (typeof body.request_count !== "number") throw new Error(`GET /health answered ${res.status} without request_count: ${JSON.stringify(body)}`);
  return body.request_count;
}

/** What `PUT /fault` may change (docs/model-server.md): 500s, latency, and silent wrong labels. */
export interface FaultChange {
  rate?: number;
  latencyMs?: number;
  silentRate?: number;
  /** `constant:<label>`, `swap:<a>,<b>` or `random`. */
  silentMode?: string;
  silentConfidence?: number | null;
}

/** Changes a FAULT_CONTROL=1 model server's faults at run time. */
export async function setFault(serverUrl: string, originToken: string, fault: FaultChange): Promise<void> {
  const res = await fetch(`${serverUrl}/fault`, {
    method: "PUT",
    headers: { "content-type": "application/json", "x-origin-token": originToken },
    body: JSON.stringify(fault),
    signal: AbortSignal.timeout(5_000),
  });
  if (res.status !== 200) throw new Error(`PUT /fault answered ${res.status}: ${await res.text()}`);
}

/** Polls `check` every `everyMs` until it answers something other than undefined; throws after `timeoutMs`. */
export async function waitUntil<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Client-side summary of samples: answers by status, failovers, and the error rate of the active colour the clients saw. */
export function summarize(samples: readonly Sample[]): { total: number; non200: number; failovers: number; noAnswer: number } {
  return {
    total: samples.length,
    non200: samples.filter((s) => s.status !== 200).length,
    failovers: samples.filter((s) => s.failover !== null).length,
    noAnswer: samples.filter((s) => s.status === null).length,
  };
}
