/**
 * Requests and server errors over the last N seconds, in 1-second buckets
 * (a ring of N slots), so `/health` reports a recent error rate instead of
 * one diluted by everything since start.
 */

export interface WindowCounts {
  requests: number;
  errors: number;
  /** errors / requests, 0 when the window holds no requests. */
  errorRate: number;
}

interface Bucket {
  second: number;
  requests: number;
  errors: number;
}

export class ErrorWindow {
  readonly #buckets: Bucket[];

  /** `now` returns epoch milliseconds; injectable for tests. */
  constructor(
    readonly windowSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(windowSeconds) || windowSeconds < 1) throw new RangeError("windowSeconds must be an integer ≥ 1");
    this.#buckets = Array.from({ length: windowSeconds }, () => ({ second: -1, requests: 0, errors: 0 }));
  }

  /** Counts one finished request, `error` when it answered 5xx. */
  record(error: boolean): void {
    const second = Math.floor(this.now() / 1000);
    const bucket = this.#buckets[second % this.windowSeconds]!;
    if (bucket.second !== second) {
      bucket.second = second;
      bucket.requests = 0;
      bucket.errors = 0;
    }
    bucket.requests += 1;
    if (error) bucket.errors += 1;
  }

  /** Totals over the buckets of the last `windowSeconds` seconds (the current one included). */
  counts(): WindowCounts {
    const current = Math.floor(this.now() / 1000);
    let requests = 0;
    let errors = 0;
    for (const b of this.#buckets) {
      if (b.second > current - this.windowSeconds && b.second <= current) {
        requests += b.requests;
        errors += b.errors;
      }
    }
    return { requests, errors, errorRate: requests === 0 ? 0 : errors / requests };
  }
}
