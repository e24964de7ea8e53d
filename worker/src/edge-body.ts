/**
 * Reading a prediction's body at the edge with a byte cap, so that an
 * oversize upload gets a 413 the client can read. Answering while the client
 * is still sending makes workerd close a socket with unread bytes, which the
 * kernel turns into a reset that can destroy the 413 before the client reads
 * it (measured: about half of 1 MiB uploads). So past the cap the rest of the
 * body is read and dropped, bounded in bytes and time, before answering; a
 * body beyond those bounds is cut off as before. A client that goes away
 * mid-upload is not an error of any colour: ClientGone, logged in one line.
 */
import { concatChunks } from "../../contract/body-limit.js";
import { HttpError } from "./errors.js";

/** Bytes past the cap read and dropped so the client can read its 413. */
export const DRAIN_MAX_BYTES = 4 * 1024 * 1024;
/** Time spent at most on dropping them. */
export const DRAIN_MAX_MS = 3_000;

/** The client closed the connection or aborted the upload before its body was read. */
export class ClientGone extends Error {
  override readonly name = "ClientGone";
}

const DIGITS = /^\d+$/;

/**
 * Reads `request`'s body (its headers passed in, already read by the caller); throws 413 past
 * `maxBytes` (after draining), ClientGone when the upload breaks off.
 */
export function readBodyCapped(request: Request, maxBytes: number, headers: Headers = request.headers): Promise<Uint8Array> {
  const declared = headers.get("content-length");
  const length = declared !== null && DIGITS.test(declared) ? Number(declared) : null;
  // A declared length within the cap and no Transfer-Encoding: the runtime's HTTP framing delivers exactly
  // that many bytes, read in one native call (a read loop in JavaScript cost twice the CPU). With
  // Transfer-Encoding the runtime reads chunks and keeps the Content-Length header, which then bounds
  // nothing; such a body, and one of unknown length, is read chunk by chunk under the cap.
  if (length !== null && length <= maxBytes && !headers.has("transfer-encoding")) return readDeclared(request, maxBytes);
  return readChunks(request, maxBytes, length);
}

async function readChunks(request: Request, maxBytes: number, length: number | null): Promise<Uint8Array> {
  const body = request.body;
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  if (length !== null && length > maxBytes) {
    await drain(reader);
    throw tooLarge(maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await readOrGone(reader);
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await drain(reader);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return concatChunks(chunks, size);
}

async function readDeclared(request: Request, maxBytes: number): Promise<Uint8Array> {
  let buffer: ArrayBuffer;
  try {
    buffer = await request.arrayBuffer();
  } catch (err) {
    throw new ClientGone(`the upload broke off: ${String(err)}`);
  }
  // Only a Request built in-process can carry more than it declares; it gets the 413 all the same.
  if (buffer.byteLength > maxBytes) throw tooLarge(maxBytes);
  return new Uint8Array(buffer);
}

async function readOrGone(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<ReadableStreamReadResult<Uint8Array>> {
  try {
    return await reader.read();
  } catch (err) {
    throw new ClientGone(`the upload broke off: ${String(err)}`);
  }
}

/** Reads and drops the rest of the body, up to DRAIN_MAX_BYTES and DRAIN_MAX_MS. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  const deadline = Date.now() + DRAIN_MAX_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeUp = new Promise<"time">((resolve) => {
    timer = setTimeout(() => resolve("time"), DRAIN_MAX_MS);
  });
  let dropped = 0;
  try {
    while (dropped <= DRAIN_MAX_BYTES && Date.now() < deadline) {
      const next = await Promise.race([reader.read(), timeUp]);
      if (next === "time" || next.done) return;
      dropped += next.value.byteLength;
    }
  } catch {
    // The client gave up on its upload; the 413 is still the answer.
    return;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    void reader.cancel().catch(() => undefined);
  }
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError("payload_too_large", `request body must be at most ${maxBytes} bytes`);
}
