// Covers: a client that hangs up in the middle of its upload, against a real
// model-server process — with a Content-Length or chunked, closing politely
// (FIN) or with a reset (RST): the server logs exactly one line for it
// (`upload_aborted`, no stack, no error level), answers no 500, and does not
// count it in /health (request_count and error_rate unchanged).
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HealthyResponse } from "../../contract/prediction.js";
import { call } from "../helpers/http.js";
import { startModelServer, type ModelServerHandle } from "../helpers/model-server.js";

let server: ModelServerHandle;

beforeAll(async () => {
  server = await startModelServer();
});
afterAll(async () => {
  await server?.stop();
});

/** Resolves once `check` holds (bounded wait). */
async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const CASES = [
  ["Content-Length, then FIN", "content-length", "fin"],
  ["Content-Length, then RST", "content-length", "rst"],
  ["chunked, then FIN", "chunked", "fin"],
  ["chunked, then RST", "chunked", "rst"],
] as const;

describe("an upload the client breaks off", () => {
  it.each(CASES)("%s: one log line, not counted", async (_name, kind, close) => {
    const requestId = `abort-${kind}-${close}`;
    const health = async () => HealthyResponse.parse((await call(`${server.url}/health`)).body);
    const before = await health();
    const linesBefore = server.lines().length;

    const socket = connect({ host: "127.0.0.1", port: server.port });
    socket.on("error", () => {});
    await new Promise<void>((resolve) => socket.once("connect", resolve));
    const framing = kind === "content-length" ? "Content-Length: 5000\r\n\r\n" : 'Transfer-Encoding: chunked\r\n\r\n9\r\n{"text":"\r\n';
    socket.write(`POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Request-Id: ${requestId}\r\n${framing}`);
    if (kind === "content-length") socket.write('{"text":"half a body');
    // The server has the request (it is reading the body) once its body bytes went out; then hang up.
    await new Promise((r) => setTimeout(r, 300));
    if (close === "rst") socket.resetAndDestroy();
    else socket.destroy();

    await until(() => server.events().some((e) => e.request_id === requestId), "the upload_aborted line");
    // Whatever else the abort would log (a client_error, a 500, an access line) comes within moments.
    await new Promise((r) => setTimeout(r, 300));
    const added = server.lines().slice(linesBefore).filter((l) => !l.includes('"path":"/health"'));
    expect(added).toHaveLength(1);
    const line = JSON.parse(added[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: "info", event: "upload_aborted", method: "POST", path: "/predict", request_id: requestId });
    expect(line).not.toHaveProperty("stack");

    const after = await health();
    expect(after.request_count).toBe(before.request_count);
    expect(after.error_rate).toBe(0);
  });
});
