// Covers control/sim/engine/server.ts — a Durable Object as one thread with a
// FIFO queue: calls finish one service time after the previous one (or their
// arrival), a call is refused when queueLimit calls wait (at once) or when it
// would wait longer than waitLimitMs (heard after that wait), a refused call
// costs nothing, and busy time is split into the right seconds.
import { describe, expect, it } from "vitest";
import { Server } from "../../../control/sim/engine/server.js";

describe("Server", () => {
  it("serves in arrival order: each call finishes one service time after the previous one", () => {
    const server = new Server("s", { queueLimit: 100, waitLimitMs: 10_000 }, 5);
    const finishes = [0, 0, 0, 5].map((t) => server.arrive(t, 2));
    expect(finishes).toEqual([
      { served: true, finishAtMs: 2 },
      { served: true, finishAtMs: 4 },
      { served: true, finishAtMs: 6 },
      { served: true, finishAtMs: 8 },
    ]);
    // An arrival after the backlog has cleared starts at once.
    expect(server.arrive(100, 2)).toEqual({ served: true, finishAtMs: 102 });
  });

  it("refuses at once when queueLimit calls are waiting, and serves again once they have started", () => {
    const server = new Server("s", { queueLimit: 2, waitLimitMs: 10_000 }, 5);
    expect(server.arrive(0, 10).served).toBe(true); // running
    expect(server.arrive(0, 10).served).toBe(true); // waiting 1
    expect(server.arrive(0, 10).served).toBe(true); // waiting 2
    expect(server.arrive(1, 10)).toEqual({ served: false, refusedAtMs: 1 });
    expect(server.waiting(1)).toBe(2);
    // At 10 the second call has started: one waits, so there is room again.
    expect(server.arrive(10, 10)).toEqual({ served: true, finishAtMs: 40 });
    expect(server.stats.refused[0]).toBe(1);
    expect(server.stats.arrivals[0]).toBe(5);
  });

  it("refuses a call that would wait longer than waitLimitMs; the caller hears it after that wait, and it costs no busy time", () => {
    const server = new Server("s", { queueLimit: 1000, waitLimitMs: 15 }, 5);
    server.arrive(0, 10);
    server.arrive(0, 10); // starts at 10: waits 10
    expect(server.arrive(0, 10)).toEqual({ served: false, refusedAtMs: 15 }); // would start at 20
    expect(server.arrive(1, 5)).toEqual({ served: false, refusedAtMs: 16 });
    expect(server.stats.busyMs[0]).toBe(20);
  });

  it("splits busy time at second boundaries and counts occupy() work", () => {
    const server = new Server("s", { queueLimit: 10, waitLimitMs: 10_000 }, 3);
    server.arrive(900, 300); // 900–1200
    expect(server.occupy(1000, 50)).toBe(1250);
    expect(server.stats.busyMs).toEqual([100, 250, 0]);
  });
});
