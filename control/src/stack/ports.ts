/**
 * Checks that the stack's ports are free before anything starts, so a busy
 * port is reported as "port 8002 (green model server) is already in use"
 * with the flag that moves it, instead of a child dying with EADDRINUSE.
 */
import { createServer } from "node:net";
import { UsageError } from "../errors.js";

/** One port the stack wants. */
export interface PortClaim {
  port: number;
  host: string;
  /** e.g. "green model server". */
  part: string;
  /** e.g. "--green-port". */
  flag: string;
}

/** Resolves with null when `host:port` can be bound now, else with the error code (EADDRINUSE, EACCES, …). */
export function probePort(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/** The error for a port that cannot be used. */
export function portError(claim: PortClaim, code: string): UsageError {
  if (code === "EADDRINUSE") {
    return new UsageError(`port ${claim.port} (${claim.part}) is already in use — stop whatever listens there or pass ${claim.flag}.`, {
      reason: `${claim.host}:${claim.port} is taken, perhaps by a stack that is still running (another npm start)`,
      hint: `find it with \`ss -ltnp 'sport = :${claim.port}'\`, or pass ${claim.flag} <free port>`,
      details: { port: claim.port, part: claim.part },
    });
  }
  return new UsageError(`port ${claim.port} (${claim.part}) cannot be used on ${claim.host}: ${code}.`, {
    reason: code === "EACCES" ? "ports below 1024 need privileges" : code === "EADDRNOTAVAIL" ? `${claim.host} is not an address of this machine` : "the system refused the port",
    hint: `pass ${claim.flag} with another port`,
    details: { port: claim.port, part: claim.part },
  });
}

/** Throws a UsageError (exit 2) naming the first claim whose port is not free. */
export async function assertPortsFree(claims: PortClaim[]): Promise<void> {
  for (const claim of claims) {
    const code = await probePort(claim.host, claim.port);
    if (code !== null) throw portError(claim, code);
  }
}
