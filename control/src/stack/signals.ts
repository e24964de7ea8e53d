/**
 * Taking over SIGINT/SIGTERM for a program that stops its parts in order:
 * wrangler installs handlers at import that exit at once, and Miniflare
 * adds its own (local-router removes those with exitOnSignal: false).
 */

/** Makes `handler` the only SIGINT/SIGTERM listener of this process. */
export function takeSignals(handler: (signal: NodeJS.Signals) => void): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, handler);
  }
}

/** SIGKILLs these pids when the process exits any other way (children in their own process groups). */
export function killOnExit(pids: () => number[]): void {
  process.once("exit", () => {
    for (const pid of pids()) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  });
}
