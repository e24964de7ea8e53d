/**
 * The PROXY_PATHS allow-list: which paths other than the predictions the
 * router passes on to the active colour. Syntax (comma-separated, spaces
 * around entries ignored, empty = nothing else is proxied):
 *   /robots.txt     exactly this path
 *   /static/*       /static/ and every path below it
 *   /*              every path (still never /fault)
 * Entries are plain path characters: no `%`, `?`, `#`, `..`, `//`, and `*`
 * only as the final `/*` (the var's parser, contract/worker-env.ts, checks
 * them). Matching is case-sensitive on the path as the URL parser
 * normalised it. The matcher is built once per config.
 */

/** A compiled PROXY_PATHS: exact paths and path prefixes. */
export interface ProxyPaths {
  /** The entries as configured (for status and error messages). */
  readonly entries: readonly string[];
  readonly exact: ReadonlySet<string>;
  /** Prefixes ending in "/" (from entries ending in "/*"). */
  readonly prefixes: readonly string[];
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
