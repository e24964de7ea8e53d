/**
 * The simulation's seeded random numbers: pure-rand's xoroshiro128+ (a
 * well-tested generator; the seed is printed with every run), with fork()
 * handing each part of the model its own stream (clone, then jump the
 * parent 2^64 steps ahead) so adding draws in one part never shifts another.
 */
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import type { JumpableRandomGenerator } from "pure-rand/types/JumpableRandomGenerator";

/** A seeded stream of uniform numbers in [0, 1). */
export class Rng {
  readonly #gen: JumpableRandomGenerator;

  /** A stream from a 32-bit seed, or the continuation of a generator. */
  constructor(seed: number | JumpableRandomGenerator) {
    this.#gen = typeof seed === "number" ? xoroshiro128plus(seed | 0) : seed;
  }

  /** Uniform in [0, 1), 53 bits. */
  uniform(): number {
    return uniformFloat64(this.#gen);
  }

  /** An independent stream: this one's continuation, while this one jumps ahead. */
  fork(): Rng {
    const child = this.#gen.clone();
    this.#gen.jump();
    return new Rng(child);
  }
}
