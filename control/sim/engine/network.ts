/**
 * One-way network delays, lognormal per hop by distance class (median and σ
 * of the underlying normal). Assumed, not measured — Cloudflare publishes no
 * per-hop figures; chosen so that a same-location hop is a few ms, a
 * same-region hop some tens and an intercontinental one near 100 ms:
 *
 *   local   isolate ↔ its location's relay     median  3 ms, σ 0.5 (p99 ≈ 10 ms)
 *   region  ↔ controller, same region          median 20 ms, σ 0.4 (p99 ≈ 51 ms)
 *   global  ↔ controller, other region         median 80 ms, σ 0.35 (p99 ≈ 180 ms)
 *   kv      a cold isolate's KV read            median 15 ms, σ 0.8 (p99 ≈ 96 ms)
 */
import { lognormal } from "./distributions.js";
import type { Rng } from "./rng.js";

export type DelayClass = "local" | "region" | "global" | "kv";

/** Median and σ of each class. */
export const DELAYS: Record<DelayClass, { medianMs: number; sigma: number }> = {
  local: { medianMs: 3, sigma: 0.5 },
  region: { medianMs: 20, sigma: 0.4 },
  global: { medianMs: 80, sigma: 0.35 },
  kv: { medianMs: 15, sigma: 0.8 },
};

/** Draws hop delays from its own stream. */
export class Network {
  readonly #rng: Rng;

  constructor(rng: Rng) {
    this.#rng = rng;
  }

  /** One hop's delay in ms. */
  delay(cls: DelayClass): number {
    const d = DELAYS[cls];
    return lognormal(this.#rng, d.medianMs, d.sigma);
  }

  /** Whether an answer is lost on its way back (the caller sees a failed call although the callee acted). */
  lost(probability: number): boolean {
    return probability > 0 && this.#rng.uniform() < probability;
  }
}
