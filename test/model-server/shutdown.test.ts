// Covers: graceful shutdown of a real model-server process — on SIGTERM with
// predictions in flight (held by FAULT_LATENCY_MS) every one completes with
// 200, new connections are not served, and the process exits 0; an idle
// keep-alive connection and requests still being sent (headers or body cut
// short) do not hold the exit: it is 0 within 2 s; SIGINT on an idle server
// exits 0; past SHUTDOWN_GRACE_MS it gives up and exits 1; a second signal
// during the drain exits 1 at once.
import { connect, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { SentimentPrediction } from "../../contract/prediction.js";
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

/** A raw connection to the server that resolves `closed` when the server closes it. */
async function openSocket(port: number, bytes: string): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect({ host: "127.0.0.1", port });
  let received = "";
  socket.on("data", (d) => (received += d.toString("latin1")));
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  socket.write(bytes);
  return { socket, received: () => received, closed };
}

/** Resolves once `check` holds (bounded wait). */
async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

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
      expect(SentimentPrediction.parse(answers[0]?.body).model_version).toBe("v1");
      expect(await exit).toEqual({ code: 0, signal: null });
      expect(server.events().map((e) => e.event)).toEqual(expect.arrayContaining(["signal", "draining", "drained", "exit"]));
    } finally {
      await server.stop("SIGKILL");
    }
  });

  it("closes an idle keep-alive connection and half-sent requests, finishes the in-flight one, exits 0 within 2 s", async () => {
    // The default 10 s grace: only the shutdown's own handling of these connections can make it exit sooner.
    const server = await startModelServer({ env: { FAULT_LATENCY_MS: "1000" } });
    try {
      const idle = await openSocket(server.port, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      await until(() => idle.received().includes("\r\n\r\n{"), "the keep-alive answer");
      expect(idle.received()).toMatch(/^HTTP\/1\.1 200 /);
      const halfHeaders = await openSocket(server.port, "POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty");
      const halfBody = await openSocket(
        server.port,
        'POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"text":"go',
      );
      const inFlight = postJson(`${server.url}/predict`, { text: "good" });
      await letRequestsArrive();

      const signalledAt = Date.now();
      const exit = await server.stop("SIGTERM");
      const exitMs = Date.now() - signalledAt;
      expect(exit).toEqual({ code: 0, signal: null });
      expect((await inFlight).status).toBe(200);
      expect(exitMs).toBeLessThan(2_000);
      // The server closed every one of them (the client side never did).
      await Promise.all([idle.closed, halfHeaders.closed, halfBody.closed]);
      expect(halfHeaders.received()).toBe("");
      const events = server.events().map((e) => e.event);
      expect(events).toEqual(expect.arrayContaining(["draining", "drained", "exit"]));
      expect(events).not.toContain("drain_timeout");
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
