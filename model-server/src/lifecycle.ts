/**
 * Where the server is in its life: loading the model, warming it up, ready,
 * or draining after SIGTERM. /health and /ready answer from this.
 */
import type { SentimentModel } from "./model/types.js";

export type Phase = "loading" | "warming" | "ready" | "draining";

export class Lifecycle {
  #phase: Phase = "loading";
  #model: SentimentModel | undefined;

  get phase(): Phase {
    return this.#phase;
  }

  /** The loaded model, once there is one (it stays set while draining). */
  get model(): SentimentModel | undefined {
    return this.#model;
  }

  /** The model is loaded; warm-up comes next. */
  loaded(model: SentimentModel): void {
    if (this.#phase !== "loading") return;
    this.#model = model;
    this.#phase = "warming";
  }

  /** Warm-up passed: serve traffic. */
  ready(): void {
    if (this.#phase === "warming") this.#phase = "ready";
  }

  /** Shutdown started: health checks fail from now on, in-flight requests finish. */
  drain(): void {
    this.#phase = "draining";
  }
}
