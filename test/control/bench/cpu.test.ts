// Covers control/bench/cpu.ts: children of a process found through /proc,
// and the CPU seconds of a process tree (a busy child is counted, its parent
// tree includes it).
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { childrenOf, cpuSeconds } from "../../../control/bench/cpu.js";

describe("cpuSeconds", () => {
  it("finds a busy child and counts its CPU time", async () => {
    // The child spins until it has used 0.3 s of CPU by its own count, then says so and idles: a
    // busy machine makes it take longer, never use less (a wall-clock spin got 0.11 s on a loaded run).
    const busy = "const spin = () => { while (process.cpuUsage().user < 300_000) {} }; spin(); console.log('busy'); setTimeout(() => {}, 10_000);";
    const child = spawn(process.execPath, ["-e", busy], { stdio: ["ignore", "pipe", "ignore"] });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("the child did not finish spinning within 10 s")), 10_000);
        child.stdout!.once("data", () => (clearTimeout(timer), resolve()));
      });
      expect(childrenOf(process.pid)).toContain(child.pid);
      const own = cpuSeconds([child.pid!]);
      expect(own).toBeGreaterThanOrEqual(0.2);
      expect(cpuSeconds([process.pid])!).toBeGreaterThanOrEqual(own!);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("is null for processes that do not exist", () => {
    expect(cpuSeconds([2 ** 30])).toBeNull();
  });
});
