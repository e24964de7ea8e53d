/**
 * Ctrl-C for long-running commands: while trapped, SIGINT calls the command's
 * handler instead of killing the process, so the command can stop watching,
 * say what state it leaves behind, and exit 130 without asking anything.
 */

/** Calls `onInterrupt` on SIGINT until the returned function is called. */
export function trapInterrupt(onInterrupt: () => void): () => void {
  const handler = () => onInterrupt();
  process.on("SIGINT", handler);
  return () => {
    process.off("SIGINT", handler);
  };
}

/** Waits `ms`, or less if `signal` aborts first (never rejects). */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
