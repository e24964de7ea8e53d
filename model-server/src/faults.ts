/**
 * Fault injection for drills and tests: a share of predictions answers 500
 * and every prediction can be delayed. Set from FAULT_RATE/FAULT_LATENCY_MS
 * at start and, with FAULT_CONTROL=1, changed at run time by `PUT /fault`.
 */
import { z } from "zod";

/** Largest injectable latency (10 minutes), same bound as FAULT_LATENCY_MS. */
export const MAX_FAULT_LATENCY_MS = 600_000;

export interface FaultSettings {
  /** 0..1: share of predictions that answer 500. */
  rate: number;
  /** Delay added to every prediction, in ms. */
  latencyMs: number;
}

/** `PUT /fault` body: either field or both; unknown fields are rejected. */
export const FaultUpdate = z
  .strictObject({
    rate: z.number().min(0).max(1).optional(),
    latencyMs: z.number().int().min(0).max(MAX_FAULT_LATENCY_MS).optional(),
  })
  .refine((u) => u.rate !== undefined || u.latencyMs !== undefined, {
    message: "give rate (0..1) and/or latencyMs (integer ms)",
  });
export type FaultUpdate = z.infer<typeof FaultUpdate>;

export class Faults {
  #settings: FaultSettings;

  /** `random` returns [0, 1); injectable for tests. */
  constructor(
    initial: FaultSettings,
    private readonly random: () => number = Math.random,
  ) {
    this.#settings = { ...initial };
  }

  /** The current settings (a copy). */
  get settings(): FaultSettings {
    return { ...this.#settings };
  }

  /** Applies a validated update and returns the new settings. */
  update(update: FaultUpdate): FaultSettings {
    this.#settings = {
      rate: update.rate ?? this.#settings.rate,
      latencyMs: update.latencyMs ?? this.#settings.latencyMs,
    };
    return this.settings;
  }

  /** Decides, for one prediction, whether it fails and how long it waits first. */
  decide(): { fail: boolean; delayMs: number } {
    const { rate, latencyMs } = this.#settings;
    return { fail: rate > 0 && this.random() < rate, delayMs: latencyMs };
  }
}
