/**
 * How the dashboard writes figures and times. A value the status leaves out
 * or reports as null (a model server that reports no version or digest, a
 * window without requests) is shown as "–", never as an error.
 */

/** Shown for a value that is absent or not known yet. */
export const MISSING = "–";

/** A string, or "–" when absent or empty. */
export function orMissing(x: string | null | undefined): string {
  return x ? x : MISSING;
}

/** A ratio as a percentage: two decimals below 10%, one above. */
export function pct(x: number | null | undefined): string {
  return x === null || x === undefined ? MISSING : `${(x * 100).toFixed(x < 0.1 ? 2 : 1)}%`;
}

/** Milliseconds: one decimal below 10 ms, whole above. */
export function ms(x: number | null | undefined): string {
  return x === null || x === undefined ? MISSING : `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;
}

/** An ISO time as the browser's local time of day. */
export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleTimeString() : MISSING;
}

/** A digest cut to its algorithm and first hex digits ("sha256:0123456789…"). */
export function short(digest: string | null | undefined): string {
  if (!digest) return MISSING;
  return digest.length > 19 ? `${digest.slice(0, 19)}…` : digest;
}

/** A clock label for the charts' time axis (HH:MM:SS). */
export function clockLabel(epochMs: number): string {
  const d = new Date(epochMs);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}
