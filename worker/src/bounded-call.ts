/**
 * A bound on how long the router waits for one of its own RPC calls (an
 * isolate's sync with its relay, a relay's forward to the controller). The
 * protocol keeps a single call in flight per sender and retries only after
 * that call ends, so one call that never answers — a stuck object, an answer
 * lost inside the runtime — would stop that sender's outcomes for good:
 * nothing would reach the controller, and no bad release would be rolled
 * back. Giving up after the bound turns such a call into a failed one, whose
 * numbered batches go again (the receiver counts a batch once, so a late
 * answer to the abandoned call costs nothing).
 */

/** The call did not answer within its bound. */
export class CallTimeout extends Error {
  override readonly name = "CallTimeout";
}

/**
 * `call`'s outcome, or a CallTimeout after `timeoutMs`. A timer of our own,
 * cleared when the call ends: AbortSignal.timeout would keep a Durable Object
 * busy until it fired. The abandoned call's late outcome is dropped.
 */
export async function within<T>(call: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CallTimeout(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([call, timeUp]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
