/**
 * Reads a request body while enforcing a byte limit. The limit is checked as
 * the bytes arrive, whatever Content-Length says (or when there is none, as
 * with chunked encoding), so an oversized body is never buffered whole.
 * Web-standard only (Request, ReadableStream): the model server and the
 * router's admin API read bodies with it.
 */
import { ApiError } from "./errors.js";

export interface BodyLimitOptions {
  /**
   * Leave the unread rest of an oversize body in `req.body` (unlocked) for
   * the caller to drain, instead of cancelling it. The model server drains it
   * behind its 413 so the client reads the answer instead of a reset.
   */
  keepRest?: boolean;
}

/**
 * The body stream failed before its end: the client went away mid-upload
 * (or the runtime aborted the request). Not a bad request and not a bug.
 */
export class UploadAbortedError extends Error {
  override name = "UploadAbortedError";
  constructor(
    /** Body bytes received before the stream failed. */
    readonly receivedBytes: number,
    cause: unknown,
  ) {
    super(`the request body ended early, after ${receivedBytes} bytes`, { cause });
  }
}

/** Reads `req`'s body into one buffer; throws ApiError 413 past `maxBytes`, UploadAbortedError if it breaks off. */
export async function readBodyWithLimit(req: Request, maxBytes: number, options: BodyLimitOptions = {}): Promise<Uint8Array> {
  const declared = req.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let next: Awaited<ReturnType<typeof reader.read>>;
    try {
      next = await reader.read();
    } catch (err) {
      throw new UploadAbortedError(size, err);
    }
    if (next.done) break;
    size += next.value.byteLength;
    if (size > maxBytes) {
      // Stop reading here; what becomes of the rest is the caller's (keepRest) or the runtime's choice.
      if (options.keepRest === true) reader.releaseLock();
      else void reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(next.value);
  }
  return concatChunks(chunks, size);
}

/** The chunks of a body read in pieces as one array of `size` bytes (the one chunk itself when there is one). */
export function concatChunks(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function tooLarge(maxBytes: number): ApiError {
  // No `Connection: close` here: whoever answers decides how the connection
  // ends (the model server answers at once and drains the rest first).
  return new ApiError("payload_too_large", `request body must be at most ${maxBytes} bytes`);
}
