/**
 * The machine a bench ran on, for the results doc: date, cores, CPU model,
 * OS, Node version, load average, and whether other test runs were going.
 */
import { execFileSync } from "node:child_process";
import { cpus, loadavg, platform, release } from "node:os";

export interface Machine {
  date: string;
  nproc: number;
  cpu: string;
  os: string;
  node: string;
  /** 1-, 5- and 15-minute load averages. */
  load: [number, number, number];
  /** Other vitest/bench processes seen running (command lines, shortened). */
  others: string[];
}

/** Other test runs on this machine (their CPU use skews the numbers). */
function otherRuns(): string[] {
  try {
    const out = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
    return out
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => /vitest|bench-model/.test(l) && !l.startsWith(String(process.pid)))
      .map((l) => l.slice(0, 120));
  } catch {
    return [];
  }
}

/** Describes this machine now. */
export function describeMachine(): Machine {
  const l = loadavg();
  return {
    date: new Date().toISOString(),
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    os: `${platform()} ${release()}`,
    node: process.version,
    load: [l[0]!, l[1]!, l[2]!].map((x) => Math.round(x * 100) / 100) as [number, number, number],
    others: otherRuns(),
  };
}
