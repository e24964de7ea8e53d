/**
 * Discrete-event core: virtual time in ms, a priority queue of callbacks
 * (flatqueue: a small, fast binary heap), run until a time. Events at the
 * same instant run in heap order, which is fixed for a given sequence of
 * scheduling calls, so a run is deterministic for its seed.
 */
import FlatQueue from "flatqueue";

/** The simulation clock and its pending events. */
export class EventLoop {
  #now = 0;
  readonly #queue = new FlatQueue<() => void>();
  /** Events run so far. */
  events = 0;

  /** Virtual time, ms. */
  get now(): number {
    return this.#now;
  }

  /** Runs `fn` at virtual time `atMs` (not before now). */
  at(atMs: number, fn: () => void): void {
    this.#queue.push(fn, Math.max(atMs, this.#now));
  }

  /** Runs `fn` `delayMs` from now. */
  after(delayMs: number, fn: () => void): void {
    this.at(this.#now + delayMs, fn);
  }

  /** Runs every event due up to and including `untilMs`; the clock ends at `untilMs`. */
  run(untilMs: number): void {
    for (;;) {
      const t = this.#queue.peekValue();
      if (t === undefined || t > untilMs) break;
      const fn = this.#queue.pop()!;
      this.#now = t;
      this.events += 1;
      fn();
    }
    this.#now = Math.max(this.#now, untilMs);
  }
}
