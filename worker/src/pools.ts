/**
 * Origin pools (docs/architecture.md "Router"): round robin inside a colour's
 * pool, and passive health like nginx's max_fails=1/fail_timeout — an origin
 * whose request failed (connect error, timeout, 5xx) is skipped for
 * ORIGIN_FAIL_TIMEOUT_MS in this isolate. If every origin of a pool is
 * cooling down, the one that recovers first is used rather than none.
 */

/** How long an origin that failed is skipped. */
export const ORIGIN_FAIL_TIMEOUT_MS = 10_000;

/** Round-robin positions and cooling origins of one isolate. */
export class PoolSet {
  readonly #next = new Map<string, number>();
  readonly #downUntilMs = new Map<string, number>();

  /** The next origin of `origins` to try. */
  pick(origins: readonly string[], nowMs: number): string {
    if (origins.length === 1) return origins[0]!; // the only choice, cooling or not: no round robin to keep
    if (origins.length === 0) throw new Error("pick() from an empty pool");
    const key = origins.join(",");
    const start = (this.#next.get(key) ?? 0) % origins.length;
    let chosen = -1;
    for (let k = 0; k < origins.length; k++) {
      const i = (start + k) % origins.length;
      if (!this.#cooling(origins[i]!, nowMs)) {
        chosen = i;
        break;
      }
    }
    if (chosen === -1) {
      // All cooling: the one that recovers first.
      chosen = 0;
      for (let i = 1; i < origins.length; i++) {
        if (this.#until(origins[i]!) < this.#until(origins[chosen]!)) chosen = i;
      }
    }
    this.#next.set(key, chosen + 1);
    return origins[chosen]!;
  }

  /** Whether at least one origin of the pool is not cooling down. */
  available(origins: readonly string[], nowMs: number): boolean {
    return origins.some((o) => !this.#cooling(o, nowMs));
  }

  /** Skips `origin` for ORIGIN_FAIL_TIMEOUT_MS. */
  markFailed(origin: string, nowMs: number): void {
    this.#downUntilMs.set(origin, nowMs + ORIGIN_FAIL_TIMEOUT_MS);
  }

  /** An answer from `origin` ends its cool-down. */
  markOk(origin: string): void {
    if (this.#downUntilMs.size !== 0) this.#downUntilMs.delete(origin);
  }

  /** Whether `origin` is cooling down (for status). */
  cooling(origin: string, nowMs: number): boolean {
    return this.#cooling(origin, nowMs);
  }

  #until(origin: string): number {
    return this.#downUntilMs.get(origin) ?? 0;
  }

  #cooling(origin: string, nowMs: number): boolean {
    return this.#until(origin) > nowMs;
  }
}
