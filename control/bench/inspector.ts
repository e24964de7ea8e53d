/**
 * A minimal Chrome DevTools protocol client for workerd's V8 inspector, to
 * take a CPU profile of one Worker under load (control/bench/profile.ts).
 * Uses the platform's WebSocket: global in Node 22, behind
 * --experimental-websocket in Node 20 (npm run bench:profile passes it).
 */

/** A V8 CPU profile as Profiler.stop answers it (the fields the summary reads). */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number; scriptId?: string };
    hitCount?: number;
    children?: number[];
  }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** An open inspector session. */
export interface InspectorSession {
  /** Sends one command and resolves with its result (rejects with the protocol's error). */
  send<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
  close(): void;
}

interface Target {
  id: string;
  title?: string;
  url?: string;
  webSocketDebuggerUrl?: string;
}

/**
 * The debugger URL of the inspector target whose id or title names
 * `worker` (workerd names targets `core:user:<worker name>`).
 */
export async function findTarget(inspector: URL, worker: string): Promise<string> {
  const list = (await (await fetch(`http://${inspector.host}/json/list`)).json()) as Target[];
  const target = list.find((t) => `${t.id} ${t.title ?? ""}`.includes(worker));
  if (target === undefined) {
    throw new Error(`no inspector target for "${worker}" (targets: ${list.map((t) => t.id).join(", ") || "none"})`);
  }
  return target.webSocketDebuggerUrl ?? `ws://${inspector.host}/${target.id}`;
}

/** Connects to a target's debugger URL. */
export async function connectInspector(url: string): Promise<InspectorSession> {
  if (typeof WebSocket === "undefined") {
    throw new Error("no global WebSocket: run Node 22+, or Node 20 with --experimental-websocket (npm run bench:profile)");
  }
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve(), { once: true });
    ws.addEventListener("error", () => reject(new Error(`could not connect to the inspector at ${url}`)), { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  ws.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
    if (message.id === undefined) return; // an event; none is subscribed to
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(message.error.message));
    else waiter?.resolve(message.result);
  });
  ws.addEventListener("close", () => {
    for (const waiter of pending.values()) waiter.reject(new Error("the inspector closed the connection"));
    pending.clear();
  });
  return {
    send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ws.send(JSON.stringify({ id, method, params }));
      });
    },
    close: () => ws.close(),
  };
}
