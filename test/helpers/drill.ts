/**
 * Building blocks for the end-to-end rollback drills (test/e2e/): a paced,
 * open-loop load generator that sends real HTTP predictions through the
 * router at a fixed rate and keeps every answer's colour, epoch and failover
 * header; the admin calls the drills make; run-time faults of a
 * FAULT_CONTROL=1 model server; and a bounded wait. Everything is loopback.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { RouterHandle } from "./router.js";

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

  const one = async (i: number): Promise<void> => {
    const sentAt = Date.now();
    try {
      const res = await fetch(`${routerUrl}/predict`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: `drill request ${i}: the service works and the answer was good` }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.arrayBuffer();
      const epoch = res.headers.get("x-bluegreen-epoch");
      samples.push({
        i,
        sentAt,
        doneAt: Date.now(),
        status: res.status,
        color: res.headers.get("x-bluegreen-color"),
        epoch: epoch === null ? null : Number(epoch),
        failover: res.headers.get("x-bluegreen-failover"),
      });
    } catch (err) {
      samples.push({ i, sentAt, doneAt: Date.now(), status: null, color: null, epoch: null, failover: null, error: String(err) });
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

/** Calls the router's admin API; answers the JSON body (throws on a non-2xx). */
export async function admin<T = any>(router: RouterHandle, method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
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
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

/** Changes a FAULT_CONTROL=1 model server's faults at run time. */
export async function setFault(serverUrl: string, originToken: string, fault: { rate?: number; latencyMs?: number }): Promise<void> {
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
