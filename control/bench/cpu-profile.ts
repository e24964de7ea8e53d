/**
 * Where a Worker's CPU goes, from a V8 CPU profile (pure): self time per
 * function and per source module, the bundle's lines mapped back to the
 * module they came from by the `// path/to/module.ts` comments esbuild
 * writes before each module of an unminified bundle. Time outside JavaScript
 * shows as V8's own rows: "(program)" is the runtime's C++ (HTTP, sockets,
 * streams), "(garbage collector)", and "(idle)", which is no CPU at all.
 */
import type { CpuProfile } from "./inspector.js";

/** One row of the summary. */
export interface SelfTime {
  /** Function name and where it is, e.g. "serve (worker/src/failover.ts)". */
  name: string;
  selfMs: number;
  /** Share of the busy (non-idle) time. */
  share: number;
}

export interface ProfileSummary {
  /** Profiled wall time. */
  wallMs: number;
  /** Sampled time minus "(idle)": what the thread spent working. */
  busyMs: number;
  byFunction: SelfTime[];
  byModule: SelfTime[];
}

/** Start lines (0-based) of each module in an unminified esbuild bundle, in order. */
export function bundleModules(source: string): Array<{ line: number; module: string }> {
  const out: Array<{ line: number; module: string }> = [];
  const lines = source.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^\/\/ ((?:[\w@.-]+\/)*[\w@.-]+\.[cm]?[jt]s)$/.exec(lines[i]!);
    if (m) out.push({ line: i, module: m[1]! });
  }
  return out;
}

/** A module path shortened to what a reader looks for: the package for node_modules, the file for our code. */
export function moduleLabel(module: string): string {
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(module);
  return nm ? nm[1]! : module;
}

/** Which module a 0-based bundle line belongs to (modules as bundleModules gives them). */
export function moduleAt(modules: Array<{ line: number; module: string }>, line: number): string | null {
  let lo = 0;
  let hi = modules.length - 1;
  let found: string | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (modules[mid]!.line <= line) {
      found = modules[mid]!.module;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Self time by function and by module. `bundle` maps lines of the script
 * whose URL ends with `bundleUrlSuffix` to modules; other scripts are named
 * by their URL, native functions as "native".
 */
export function summarizeProfile(
  profile: CpuProfile,
  bundle?: { urlSuffix: string; modules: Array<{ line: number; module: string }> },
): ProfileSummary {
  const selfUs = new Map<number, number>();
  let t = profile.startTime;
  const stamps: number[] = [];
  for (const d of profile.timeDeltas) stamps.push((t += d));
  for (let i = 0; i < profile.samples.length; i++) {
    const next = i + 1 < stamps.length ? stamps[i + 1]! : profile.endTime;
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, next - stamps[i]!));
  }
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  let busyUs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const vmRow = functionName.startsWith("(") && url === "";
    let module: string;
    if (vmRow) module = functionName;
    else if (url === "") module = "native";
    else if (bundle && url.endsWith(bundle.urlSuffix)) module = moduleLabel(moduleAt(bundle.modules, lineNumber) ?? url);
    else module = url;
    const name = vmRow ? functionName : `${functionName || "(anonymous)"} (${module})`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byModule.set(module, (byModule.get(module) ?? 0) + us);
    if (functionName !== "(idle)") busyUs += us;
  }
  const rows = (m: Map<string, number>): SelfTime[] =>
    [...m.entries()]
      .filter(([name]) => name !== "(idle)")
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: busyUs === 0 ? 0 : us / busyUs }))
      .sort((a, b) => b.selfMs - a.selfMs);
  return { wallMs: (profile.endTime - profile.startTime) / 1000, busyMs: busyUs / 1000, byFunction: rows(byFunction), byModule: rows(byModule) };
}
