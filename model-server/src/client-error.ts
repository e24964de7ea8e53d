/**
 * Answers HTTP protocol errors that never reach the app (malformed request
 * line or headers, bytes after a body that Content-Length ended, oversized
 * headers, slow clients) with the error envelope (contract/errors.ts) instead
 * of Node's bare text, then closes the connection. Mirrors Node's default:
 * only when nothing has been written on the socket yet. A client that hangs
 * up in the middle of a request's body is logged by that request (app.ts),
 * not here.
 */
import type { Server } from "node:http";
import type { Socket } from "node:net";
import { errorBody } from "../../contract/errors.js";
import type { ConnectionTracker } from "./connections.js";
import type { Logger } from "./logger.js";

function statusFor(code: string | undefined): { status: number; reason: string; message: string } {
  if (code === "HPE_HEADER_OVERFLOW") return { status: 431, reason: "Request Header Fields Too Large", message: "request headers are too large" };
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return { status: 408, reason: "Request Timeout", message: "the request was not received in time" };
  return { status: 400, reason: "Bad Request", message: "malformed HTTP request" };
}

/** How long a half-closed socket may linger so the client can read the answer before we reset it. */
const LINGER_MS = 1_000;

/** Installs the JSON `clientError` handler on `server`. */
export function answerClientErrors(server: Server, logger: Logger, connections: ConnectionTracker): void {
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const { status, reason, message } = statusFor(err.code);
    // The connection ended mid-body: the request reading that body logs the abort once.
    const abortedUpload = err.code === "HPE_INVALID_EOF_STATE" && connections.busy(socket);
    if (!abortedUpload) logger.warn("client_error", { status, code: err.code });
    if (socket.bytesWritten === 0) {
      const body = JSON.stringify(errorBody("invalid_request", message));
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });
}
