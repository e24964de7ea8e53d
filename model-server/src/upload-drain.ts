/**
 * The answer to an oversize upload (413): sent at once, whole (with its
 * Content-Length) and with `Connection: close`, while the rest of the upload
 * is read and thrown away, bounded in bytes and time; the connection closes
 * only after that. Closing a socket that still has unread bytes makes the
 * kernel send a reset, and a client still writing its body then gets
 * ECONNRESET or EPIPE instead of the 413 that was already on its way — what
 * nginx's "lingering close" avoids the same way. Runtime-agnostic (web
 * streams only), so `app.request()` tests drive it too.
 */

/** Bounds on the bytes read and discarded after an oversize upload's answer. */
export interface DrainBounds {
  /** Past this many bytes the rest is dropped unread (the client may then see a reset). */
  maxBytes: number;
  /** Past this time, likewise: a client that trickles cannot hold the connection. */
  maxMs: number;
}

/** 16 MiB or 5 s, whichever comes first; a declared Content-Length above maxBytes is not drained at all. */
export const DEFAULT_DRAIN_BOUNDS: DrainBounds = { maxBytes: 16 * 1024 * 1024, maxMs: 5_000 };

/** How the drain ended: the whole upload read, a bound reached, or the body stream broke (client gone). */
export type DrainOutcome = "drained" | "bounded" | "client_gone";

/** Reads `rest` to its end and throws the bytes away, within `bounds`. */
export async function discardRest(rest: ReadableStream<Uint8Array>, bounds: DrainBounds): Promise<DrainOutcome> {
  const reader = rest.getReader();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void reader.cancel().catch(() => {});
  }, bounds.maxMs);
  let read = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return timedOut ? "bounded" : "drained";
      read += value.byteLength;
      if (read > bounds.maxBytes) {
        void reader.cancel().catch(() => {});
        return "bounded";
      }
    }
  } catch {
    return "client_gone";
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The 413 body as a stream: its bytes at once, then its end once the unread
 * rest of `req`'s body is drained. Ends at once when there is nothing to
 * drain or more than `bounds.maxBytes` was declared.
 */
export function drainingBody(req: Request, bytes: Uint8Array, bounds: DrainBounds = DEFAULT_DRAIN_BOUNDS): ReadableStream<Uint8Array> {
  const rest = req.body;
  const declared = Number(req.headers.get("content-length") ?? Number.NaN);
  const drain = rest !== null && !rest.locked && !(declared > bounds.maxBytes);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      if (!drain) return controller.close();
      void discardRest(rest, bounds).then(() => {
        try {
          controller.close();
        } catch {
          // The answer's stream was already cancelled (the client went away).
        }
      });
    },
  });
}
