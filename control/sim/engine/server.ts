/**
 * A Durable Object as the simulation sees it: one thread serving calls in
 * arrival order, each busy for its service time (measured in workerd:
 * service-times.json). Cloudflare's documented overload behaviour: an object
 * "that receives too many requests will, after attempting to queue them,
 * return an overloaded error" — too many requests queued, or a request
 * queued too long. The limits themselves are not published, so they are
 * parameters (OverloadLimits; defaults in scenario.ts). A refused call costs
 * the object nothing; the caller hears `overloaded` after the return hop.
 * Per-second arrivals, refusals and busy time are kept for the tables.
 */

/** When calls are refused as overloaded. */
export interface OverloadLimits {
  /** Refused at once when this many calls are already waiting. */
  queueLimit: number;
  /** Refused when the call would wait longer than this before its turn (it hears so after that wait). */
  waitLimitMs: number;
}

/** What became of an arriving call. */
export type Admission = { served: true; finishAtMs: number } | { served: false; refusedAtMs: number };

/** Per-second counts of one server (index = whole second of virtual time). */
export class ServerStats {
  readonly arrivals: number[];
  readonly refused: number[];
  readonly busyMs: number[];

  constructor(seconds: number) {
    this.arrivals = new Array<number>(seconds).fill(0);
    this.refused = new Array<number>(seconds).fill(0);
    this.busyMs = new Array<number>(seconds).fill(0);
  }

  /** Adds busy time [fromMs, toMs), split at second boundaries. */
  busy(fromMs: number, toMs: number): void {
    let t = fromMs;
    while (t < toMs) {
      const s = Math.floor(t / 1000);
      const end = Math.min(toMs, (s + 1) * 1000);
      if (s < this.busyMs.length) this.busyMs[s]! += end - t;
      t = end;
    }
  }

  /** Counts one arrival (and whether it was refused) in its second. */
  arrival(atMs: number, refused: boolean): void {
    const s = Math.floor(atMs / 1000);
    if (s >= this.arrivals.length) return;
    this.arrivals[s]! += 1;
    if (refused) this.refused[s]! += 1;
  }
}

/** One single-threaded object with a FIFO queue and overload limits. */
export class Server {
  readonly name: string;
  readonly stats: ServerStats;
  readonly #limits: OverloadLimits;
  #freeAtMs = 0;
  /** Start times of accepted calls not started yet, in order (from #head on). */
  #starts: number[] = [];
  #head = 0;

  constructor(name: string, limits: OverloadLimits, seconds: number) {
    this.name = name;
    this.#limits = limits;
    this.stats = new ServerStats(seconds);
  }

  /** A call arriving at `nowMs` needing `serviceMs`: when it finishes (its effect happens then), or its refusal. */
  arrive(nowMs: number, serviceMs: number): Admission {
    while (this.#head < this.#starts.length && this.#starts[this.#head]! <= nowMs) this.#head++;
    if (this.#head > 4096 && this.#head * 2 > this.#starts.length) {
      this.#starts = this.#starts.slice(this.#head);
      this.#head = 0;
    }
    const waiting = this.#starts.length - this.#head;
    if (waiting >= this.#limits.queueLimit) {
      this.stats.arrival(nowMs, true);
      return { served: false, refusedAtMs: nowMs };
    }
    const startMs = Math.max(nowMs, this.#freeAtMs);
    if (startMs - nowMs > this.#limits.waitLimitMs) {
      this.stats.arrival(nowMs, true);
      return { served: false, refusedAtMs: nowMs + this.#limits.waitLimitMs };
    }
    this.stats.arrival(nowMs, false);
    if (startMs > nowMs) this.#starts.push(startMs);
    this.#freeAtMs = startMs + serviceMs;
    this.stats.busy(startMs, this.#freeAtMs);
    return { served: true, finishAtMs: this.#freeAtMs };
  }

  /** Work the object does on its own right after a call (e.g. a push fan-out): the thread is busy `serviceMs` longer. */
  occupy(nowMs: number, serviceMs: number): number {
    const startMs = Math.max(nowMs, this.#freeAtMs);
    this.#freeAtMs = startMs + serviceMs;
    this.stats.busy(startMs, this.#freeAtMs);
    return this.#freeAtMs;
  }

  /** Calls waiting now (for tests). */
  waiting(nowMs: number): number {
    let n = 0;
    for (let i = this.#head; i < this.#starts.length; i++) if (this.#starts[i]! > nowMs) n++;
    return n;
  }
}
