/**
 * The PROXY_PATHS allow-list: which paths other than the predictions the
 * router passes on to the active colour. Syntax (comma-separated, spaces
 * around entries ignored, empty = nothing else is proxied):
 *   /robots.txt     exactly this path
 *   /static/*       /static/ and every path below it
 *   /*              every path (still never /fault)
 * Entries are plain path characters: no `%`, `?`, `#`, `..`, `//`, and `*`
 * only as the final `/*`. Matching is case-sensitive on the path as the URL
 * parser normalised it. The matcher is built once per config.
 */
import { z } from "zod";

const ENTRY = /^\/(?:[A-Za-z0-9._~!$&'()+;=:@-]+\/)*(?:[A-Za-z0-9._~!$&'()+;=:@-]+|\*)?$/;
const DOT_SEGMENT = /(^|\/)\.{1,2}(\/|$)/;

/** A compiled PROXY_PATHS: exact paths and path prefixes. */
export interface ProxyPaths {
  /** The entries as configured (for status and error messages). */
  readonly entries: readonly string[];
  readonly exact: ReadonlySet<string>;
  /** Prefixes ending in "/" (from entries ending in "/*"). */
  readonly prefixes: readonly string[];
}

/** Why `entry` is not a valid PROXY_PATHS entry, or null when it is. */
export function entryProblem(entry: string): string | null {
  if (!entry.startsWith("/")) return `"${entry}" must start with "/"`;
  if (DOT_SEGMENT.test(entry)) return `"${entry}" must not contain "." or ".." segments`;
  if (!ENTRY.test(entry)) {
    return `"${entry}" may hold only path characters (no %, ?, #, //, spaces), with "*" only as a final "/*"`;
  }
  return null;
}

/** Compiles validated entries into a matcher. */
export function compileProxyPaths(entries: readonly string[]): ProxyPaths {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const entry of entries) {
    if (entry.endsWith("/*")) prefixes.push(entry.slice(0, -1));
    else exact.add(entry);
  }
  return { entries: [...entries], exact, prefixes };
}

/** The PROXY_PATHS var: a comma-separated list, validated entry by entry. */
export const ProxyPathsVar = z
  .string()
  .optional()
  .transform((s) => (s ?? "").split(",").map((p) => p.trim()).filter((p) => p !== ""))
  .superRefine((entries, ctx) => {
    for (const entry of entries) {
      const problem = entryProblem(entry);
      if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
    }
  })
  .transform(compileProxyPaths);

/** Whether `pathname` (a URL's normalised path) is on the allow-list. */
export function allowsPath(paths: ProxyPaths, pathname: string): boolean {
  if (paths.exact.has(pathname)) return true;
  for (const prefix of paths.prefixes) if (pathname.startsWith(prefix)) return true;
  return false;
}

const SEGMENT_SPLIT = /[/\\]/;

/**
 * Whether `pathname` could reach an origin's /fault control, in any spelling
 * an origin might decode it to (%66ault, FAULT, /x/..%2ffault): true when any
 * percent-decoded, lower-cased segment is "fault". Such paths are never
 * proxied, whatever PROXY_PATHS says.
 */
export function isFaultPath(pathname: string): boolean {
  let decoded = pathname;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    // Malformed escapes: judge the raw path.
  }
  return decoded.toLowerCase().split(SEGMENT_SPLIT).includes("fault");
}
