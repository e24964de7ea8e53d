/**
 * CPU time of processes (and their descendants) from /proc, so the bench can
 * say what each request cost the proxy and the origin — the "why" behind a
 * throughput ratio on a machine whose cores everything shares. Linux only;
 * elsewhere every reading is null.
 */
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100;

function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the ")" that closes the command name: state is [0], ppid [1], utime [11], stime [12].
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** Pids whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  return entries.filter((e) => /^\d+$/.test(e)).map(Number).filter((p) => statFields(p)?.[1] === String(pid));
}

/** Seconds of CPU (user + system) used so far by `pids` and all their descendants; null when /proc is not there. */
export function cpuSeconds(pids: number[]): number | null {
  let ticks = 0;
  let seen = false;
  const queue = [...pids];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    const f = statFields(pid);
    if (f === null) continue;
    seen = true;
    ticks += Number(f[11]) + Number(f[12]);
    queue.push(...childrenOf(pid));
  }
  return seen ? ticks / TICKS_PER_SECOND : null;
}

/** The workerd child this process started since `before` (a Miniflare instance's runtime). */
export function newWorkerdChild(before: number[]): number | null {
  for (const pid of childrenOf(process.pid)) {
    if (before.includes(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("workerd")) return pid;
    } catch {
      // gone
    }
  }
  return null;
}
