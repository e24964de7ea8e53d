/**
 * Reads a request body while enforcing a byte limit. The limit is checked as
 * the bytes arrive, whatever Content-Length says (or when there is none, as
 * with chunked encoding), so an oversized body is never buffered whole.
 */
import { ApiError } from "./api-error.js";

/** Reads `req`'s body into one buffer; throws ApiError 413 past `maxBytes`. */
export async function readBodyWithLimit(req: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = req.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      // Stop reading; the adapter drains or closes the rest of the connection.
      void reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
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
  // No `Connection: close` here: closing at once would reset a client still
  // uploading before it reads the 413. The Node adapter drains what is left
  // (bounded in bytes and time) and then closes the connection itself.
  return new ApiError("payload_too_large", `request body must be at most ${maxBytes} bytes`);
}
