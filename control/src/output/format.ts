/** Number formatting shared by every command's output. */

/** "12 ms", "1.25 s". */
export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 100) return `${Math.round(value)} ms`;
  return `${Number(value.toFixed(1))} ms`;
}

/** 0.0123 → "1.23%". */
export function pct(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return `${(value * 100).toFixed(digits)}%`;
}

/** Requests per second, "812 req/s". */
export function rate(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} req/s`;
}

/** A count with thousands separators, or "–". */
export function count(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return value.toLocaleString("en-US");
}

/** 95 → "1m35s", 9 → "9s". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/** "sha256:0123456789ab…" — enough of a digest to compare by eye. */
export function shortDigest(digest: string | null | undefined): string {
  if (!digest) return "–";
  const [algo, hex] = digest.includes(":") ? digest.split(":", 2) : ["", digest];
  return `${algo ? `${algo}:` : ""}${(hex ?? "").slice(0, 12)}${(hex ?? "").length > 12 ? "…" : ""}`;
}

/** An ISO time as "2026-04-01 12:34:56Z", or "–". */
export function when(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined || iso === "") return "–";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : `${d.toISOString().slice(0, 19).replace("T", " ")}Z`;
}
