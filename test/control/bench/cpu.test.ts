// Covers control/bench/cpu.ts: children of a process found through /proc,
// and the CPU seconds of a process tree (a busy child is counted, its parent
// tree includes it).
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { childrenOf, cpuSeconds } from "../../../control/bench/cpu.js";

describe("cpuSeconds", () => {
  it("finds a busy child and counts its CPU time", async () => {
    const child = spawn(process.execPath, ["-e", "const end = Date.now() + 400; while (Date.now() < end) {} setTimeout(() => {}, 2000);"], { stdio: "ignore" });
    try {
      await new Promise((r) => setTimeout(r, 700));
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
