/**
 * What each open connection is doing: idle, still sending a request
 * (headers or body not complete), or waiting for the answer to one it has
 * sent whole. Shutdown waits only for the last kind; the client-error handler
 * asks whether a request is in progress so a client that hangs up mid-upload
 * is logged once, by the request, not twice.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Socket } from "node:net";

export class ConnectionTracker {
  readonly #sockets = new Set<Socket>();
  /** The request each socket is answering, until its answer is done. */
  readonly #current = new Map<Socket, IncomingMessage>();
  #inFlight = 0;

  constructor(server: Server) {
    server.on("connection", (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once("close", () => {
        this.#sockets.delete(socket);
        this.#current.delete(socket);
      });
    });
    server.on("request", (req: IncomingMessage, res) => {
      this.#inFlight += 1;
      this.#current.set(req.socket, req);
      res.once("close", () => {
        this.#inFlight -= 1;
        if (this.#current.get(req.socket) === req) this.#current.delete(req.socket);
      });
    });
  }

  /** Requests whose answer is not finished yet. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** True while `socket` has a request whose answer is not finished. */
  busy(socket: Socket): boolean {
    return this.#current.has(socket);
  }

  /**
   * Destroys every connection that has not delivered a whole request: idle
   * ones, and those whose headers or body are still arriving. Requests
   * received whole are left to finish. Answers how many were closed.
   */
  closeUnfinished(): number {
    let closed = 0;
    for (const socket of this.#sockets) {
      const req = this.#current.get(socket);
      if (socket.destroyed || (req !== undefined && req.complete)) continue;
      socket.destroy();
      closed += 1;
    }
    return closed;
  }
}
