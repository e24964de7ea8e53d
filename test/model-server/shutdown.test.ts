// Covers: graceful shutdown of a real model-server process — on SIGTERM with
// predictions in flight (held by FAULT_LATENCY_MS) every one completes with
// 200, new connections are not served, and the process exits 0; SIGINT on
// an idle server exits 0; past SHUTDOWN_GRACE_MS it gives up and exits 1;
// a second signal during the drain exits 1 at once.
import { describe, expect, it } from "vitest";
import { Prediction } from "../../model-server/src/api.js";
import { call, postJson } from "../helpers/http.js";
import { startModelServer, type ModelServerHandle } from "../helpers/model-server.js";

const IN_FLIGHT = 8;

/** Resolves once the server has logged `event` (bounded wait). */
async function logged(server: ModelServerHandle, event: string, timeoutMs = 5_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = server.events().find((e) => e.event === event);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no "${event}" log line within ${timeoutMs} ms`);
}

/**
 * Gives requests just sent on loopback time to reach the server. Nothing
 * asserts on this pause: the `draining` line's in_flight count (or the
 * drain_timeout line) proves the requests were in flight at SIGTERM.
 */
const letRequestsArrive = () => new Promise((r) => setTimeout(r, 400));

describe("SIGTERM", () => {
  it("finishes in-flight requests with 200, refuses new work, exits 0", async () => {
    const server = await startModelServer({ env: { FAULT_LATENCY_MS: "1500" } });
    try {
      const inFlight = Array.from({ length: IN_FLIGHT }, (_, i) =>
        postJson(`${server.url}/predict${i % 2 ? "/batch" : ""}`, i % 2 ? { texts: ["good", "bad"] } : { text: "good" }),
      );
      await letRequestsArrive();
      const exit = server.stop("SIGTERM");
      const draining = await logged(server, "draining");
      expect(draining.in_flight).toBe(IN_FLIGHT);

      // New work after SIGTERM is not served: the listener is closed (or, on a reused connection, 503).
      const late = await call(`${server.url}/health`).then((r) => r.status, () => "refused");
      expect(late === "refused" || late === 503).toBe(true);

      const answers = await Promise.all(inFlight);
      expect(answers.map((a) => a.status)).toEqual(Array(IN_FLIGHT).fill(200));
      expect(Prediction.parse(answers[0]?.body).model_version).toBe("v1");
      expect(await exit).toEqual({ code: 0, signal: null });
      expect(server.events().map((e) => e.event)).toEqual(expect.arrayContaining(["signal", "draining", "drained", "exit"]));
    } finally {
      await server.stop("SIGKILL");
    }
  });

  it("SIGINT on an idle server exits 0", async () => {
    const server = await startModelServer();
    try {
      expect((await call(`${server.url}/health`)).status).toBe(200);
      expect(await server.stop("SIGINT")).toEqual({ code: 0, signal: null });
    } finally {
      await server.stop("SIGKILL");
    }
  });

  it("a second signal while draining exits 1 at once", async () => {
    const server = await startModelServer({ env: { FAULT_LATENCY_MS: "20000" } });
    try {
      const stuck = postJson(`${server.url}/predict`, { text: "slow" }).then((r) => r.status, () => "cut");
      await letRequestsArrive();
      server.proc.kill("SIGTERM");
      await logged(server, "draining");
      expect(await server.stop("SIGINT")).toEqual({ code: 1, signal: null });
      expect(server.events().some((e) => e.event === "forced_exit")).toBe(true);
      expect(await stuck).toBe("cut");
    } finally {
      await server.stop("SIGKILL");
    }
  });

  it("gives up after SHUTDOWN_GRACE_MS and exits 1 when a request is still running", async () => {
    const server = await startModelServer({ env: { FAULT_LATENCY_MS: "20000", SHUTDOWN_GRACE_MS: "300" } });
    try {
      const stuck = postJson(`${server.url}/predict`, { text: "slow" }).then((r) => r.status, () => "cut");
      await letRequestsArrive();
      expect(await server.stop("SIGTERM")).toEqual({ code: 1, signal: null });
      expect(await logged(server, "drain_timeout")).toMatchObject({ in_flight: 1 });
      expect(await stuck).toBe("cut");
    } finally {
      await server.stop("SIGKILL");
    }
  });
});
