/**
 * One call to a simulated Durable Object: the request hop, the object's
 * admission (queue, overload), its effect at the end of its service time,
 * and the answer hop — on which the answer may be lost (the caller then sees
 * a failure although the object acted: what exactly-once delivery must
 * survive). A refused call never runs its effect.
 */
import type { EventLoop } from "./event-loop.js";
import type { DelayClass, Network } from "./network.js";
import type { Server } from "./server.js";

/** What every call needs from the simulation. */
export interface RpcContext {
  loop: EventLoop;
  net: Network;
  /** Probability that an answer is lost on its way back. */
  lossProbability: number;
}

/** How a call ended for the caller. */
export type CallEnd = "ok" | "refused" | "lost";

export interface Call<T> {
  server: Server;
  /** Distance class of both hops. */
  hop: DelayClass;
  /** The object's busy time for this call, decided when it arrives. */
  serviceMs: (arrivalMs: number) => number;
  /** What the object does, at the end of its service time; its result is the answer. */
  effect: (atMs: number) => T;
  /** The caller hears the answer, or null with why. */
  reply: (answer: T | null, end: CallEnd) => void;
}

/** Sends a call now. */
export function rpc<T>(ctx: RpcContext, call: Call<T>): void {
  ctx.loop.after(ctx.net.delay(call.hop), () => {
    const admission = call.server.arrive(ctx.loop.now, call.serviceMs(ctx.loop.now));
    if (!admission.served) {
      ctx.loop.at(admission.refusedAtMs + ctx.net.delay(call.hop), () => call.reply(null, "refused"));
      return;
    }
    ctx.loop.at(admission.finishAtMs, () => {
      const answer = call.effect(ctx.loop.now);
      const lost = ctx.net.lost(ctx.lossProbability);
      ctx.loop.after(ctx.net.delay(call.hop), () => (lost ? call.reply(null, "lost") : call.reply(answer, "ok")));
    });
  });
}
