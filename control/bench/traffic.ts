/**
 * Traffic that remembers every answer, for the flip and rollback drills:
 * closed-loop (N requests always in flight) or open-loop (a fixed rate),
 * each answer recorded with when it finished, its status, which colour
 * served it (by the body's model_version) and whether the router failed
 * over. Keep-alive connections, as real clients hold them.
 */
import { Agent, request } from "node:http";
import { TEXTS } from "../../model-server/bench/texts.js";
import type { Target } from "./load.js";

/** One finished request. */
export interface Answer {
  /** performance.now() when it finished. */
  at: number;
  /** HTTP status, or 0 for a network error. */
  status: number;
  /** The colour whose model answered (by model_version), or null. */
  color: string | null;
  /** x-bluegreen-failover: the standby colour that served after the active one failed. */
  failover: string | null;
  error: string | null;
}

export interface TrafficOptions {
  target: Target;
  /** model_version → colour, e.g. { v1: "blue", v2: "green" }. */
  colors: Record<string, string>;
  /** Closed loop: this many requests in flight. */
  concurrency?: number;
  /** Open loop: this many requests per second (each on its own timer tick). */
  ratePerSecond?: number;
  /** Socket pool size (open loop), default 16. */
  maxSockets?: number;
}

/** Running traffic; stop() resolves once every request in flight has finished. */
export interface Traffic {
  answers: Answer[];
  stop(): Promise<Answer[]>;
}

function once(target: Target, agent: Agent, colors: Record<string, string>, i: number): Promise<Answer> {
  const body = JSON.stringify({ text: TEXTS[i % TEXTS.length] });
  return new Promise((resolve) => {
    const req = request(
      new URL("/predict", target.url),
      { method: "POST", agent, headers: { ...target.headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) }, timeout: 10_000 },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (d: string) => (text += d));
        res.on("end", () => {
          let color: string | null = null;
          try {
            const version = (JSON.parse(text) as { model_version?: string }).model_version;
            color = version !== undefined ? (colors[version] ?? null) : null;
          } catch {
            // an error body
          }
          const failover = res.headers["x-bluegreen-failover"];
          resolve({ at: performance.now(), status: res.statusCode ?? 0, color, failover: typeof failover === "string" ? failover : null, error: null });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (err: NodeJS.ErrnoException) => resolve({ at: performance.now(), status: 0, color: null, failover: null, error: err.code ?? err.message }));
    req.end(body);
  });
}

/** Starts traffic against `target` until stop(). */
export function startTraffic(opts: TrafficOptions): Traffic {
  const answers: Answer[] = [];
  let running = true;
  let n = 0;
  const inFlight = new Set<Promise<void>>();
  const track = (p: Promise<Answer>) => {
    const done = p.then((a) => void answers.push(a));
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
    return done;
  };
  let timer: NodeJS.Timeout | undefined;
  let agent: Agent;
  if (opts.ratePerSecond !== undefined) {
    agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 16 });
    const intervalMs = 1000 / opts.ratePerSecond;
    const startedAt = performance.now();
    // Schedule against the start time so the rate does not drift with timer lateness.
    const tick = () => {
      if (!running) return;
      track(once(opts.target, agent, opts.colors, n++));
      timer = setTimeout(tick, Math.max(0, startedAt + n * intervalMs - performance.now()));
    };
    tick();
  } else {
    const concurrency = opts.concurrency ?? 8;
    agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    const loop = async () => {
      while (running) await track(once(opts.target, agent, opts.colors, n++));
    };
    for (let i = 0; i < concurrency; i++) void loop();
  }
  return {
    answers,
    async stop() {
      running = false;
      clearTimeout(timer);
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      agent.destroy();
      return answers;
    },
  };
}

/** True when a client saw this answer as a failure. */
export function failed(a: Answer): boolean {
  return a.status < 200 || a.status > 299;
}
