// Covers control/bench/cpu-profile.ts (pure): a V8 CPU profile's self time
// by function and by module — sample durations from the time deltas, bundle
// lines mapped back to the module esbuild's comments name, packages under
// node_modules shortened to their name, native and VM rows kept apart, idle
// time left out of the busy total.
import { describe, expect, it } from "vitest";
import { bundleModules, moduleAt, moduleLabel, summarizeProfile } from "../../../control/bench/cpu-profile.js";
import type { CpuProfile } from "../../../control/bench/inspector.js";

const BUNDLE = [
  "// node_modules/hono/dist/compose.js",
  "function compose() {}",
  "",
  "// worker/src/attempt.ts",
  "async function attemptOrigin() {",
  "  return fetch(x);",
  "}",
  "// worker/src/failover.ts",
  "async function serve() {}",
].join("\n");

function frame(id: number, functionName: string, url: string, lineNumber: number) {
  return { id, callFrame: { functionName, url, lineNumber, columnNumber: 0 } };
}

describe("bundle modules", () => {
  it("finds each module's first line and maps any line to its module", () => {
    const modules = bundleModules(BUNDLE);
    expect(modules).toEqual([
      { line: 0, module: "node_modules/hono/dist/compose.js" },
      { line: 3, module: "worker/src/attempt.ts" },
      { line: 7, module: "worker/src/failover.ts" },
    ]);
    expect(moduleAt(modules, 5)).toBe("worker/src/attempt.ts");
    expect(moduleAt(modules, 8)).toBe("worker/src/failover.ts");
    expect(moduleAt([{ line: 2, module: "a.ts" }], 1)).toBeNull();
    expect(moduleLabel("node_modules/hono/dist/compose.js")).toBe("hono");
    expect(moduleLabel("node_modules/@cloudflare/x/y.js")).toBe("@cloudflare/x");
    expect(moduleLabel("worker/src/attempt.ts")).toBe("worker/src/attempt.ts");
  });
});

describe("summarizeProfile", () => {
  it("adds each sample's duration to its function and module, and leaves idle out of the busy time", () => {
    const profile: CpuProfile = {
      nodes: [
        frame(1, "(root)", "", -1),
        frame(2, "(idle)", "", -1),
        frame(3, "attemptOrigin", "file:///tmp/b/index.js", 4),
        frame(4, "fetch", "", -1),
        frame(5, "compose", "file:///tmp/b/index.js", 1),
        frame(6, "(garbage collector)", "", -1),
        frame(7, "attemptOrigin", "file:///tmp/b/index.js", 5),
      ],
      startTime: 1_000,
      // Samples at 1000+100, +200, … : each lasts until the next one, the last until endTime.
      samples: [3, 4, 4, 5, 2, 6, 7],
      timeDeltas: [100, 100, 100, 100, 100, 100, 100],
      endTime: 1_800,
    };
    const summary = summarizeProfile(profile, { urlSuffix: "index.js", modules: bundleModules(BUNDLE) });
    expect(summary.wallMs).toBeCloseTo(0.8);
    expect(summary.busyMs).toBeCloseTo(0.6);
    const fn = Object.fromEntries(summary.byFunction.map((r) => [r.name, r.selfMs]));
    expect(fn).toEqual({
      "attemptOrigin (worker/src/attempt.ts)": expect.closeTo(0.2),
      "fetch (native)": expect.closeTo(0.2),
      "compose (hono)": expect.closeTo(0.1),
      "(garbage collector)": expect.closeTo(0.1),
    });
    expect(summary.byFunction[0]!.share + summary.byFunction[1]!.share).toBeCloseTo(2 / 3);
    const byModule = Object.fromEntries(summary.byModule.map((r) => [r.name, r.selfMs]));
    expect(byModule).toEqual({
      "worker/src/attempt.ts": expect.closeTo(0.2),
      native: expect.closeTo(0.2),
      hono: expect.closeTo(0.1),
      "(garbage collector)": expect.closeTo(0.1),
    });
  });
});
