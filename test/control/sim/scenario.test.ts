// Covers control/sim/scenario.ts with both protocols on a small world (60
// isolates in 20 locations, measured service times): a run is deterministic
// for its seed (twice the same result, another seed another); the relayed
// protocol counts every prediction exactly once although answers get lost,
// converges every isolate after the flip and rolls back after the fault;
// today's protocol counts the batches of lost answers twice; the bounds check
// names a failed bound.
import { describe, expect, it } from "vitest";
import { FlagsSchema, paramsFor } from "../../../control/sim/params.js";
import { boundsCheck } from "../../../control/sim/report.js";
import { runScenario, type RunResult } from "../../../control/sim/scenario.js";
import { loadServiceTimes } from "../../../control/sim/service-times.js";

const measured = loadServiceTimes();
const small = (seed: number, loss = 0.01) => paramsFor(FlagsSchema.parse({ seed: String(seed), colos: "20", loss: String(loss) }), 60, measured);
const comparable = (r: RunResult) => ({ ...r, wallMs: 0 });

describe("runScenario", () => {
  it("is deterministic for a seed, and another seed gives another run", () => {
    for (const protocol of ["today", "relayed"] as const) {
      const a = runScenario(protocol, small(1));
      const b = runScenario(protocol, small(1));
      expect(comparable(b)).toEqual(comparable(a));
      const c = runScenario(protocol, small(2));
      expect(c.exact.generated).not.toBe(a.exact.generated);
    }
  });

  it("relayed: every prediction counted once despite 1% lost answers; the flip reaches every isolate; the fault is rolled back", () => {
    const r = runScenario("relayed", small(3));
    expect(r.syncs.lost).toBeGreaterThan(0);
    expect(r.exact.generated).toBeGreaterThan(50_000);
    expect(r.exact).toMatchObject({ duplicated: 0, buffered: 0, inTransit: 0, dropped: 0 });
    expect(r.exact.counted).toBe(r.exact.generated);
    expect(r.flip.missing).toBe(0);
    expect(r.flip.p99).toBeLessThan(2000);
    expect(r.rollback.decisionMs).not.toBeNull();
    expect(r.rollback.decisionMs!).toBeLessThan(3000);
    expect(r.rollback.convergence.missing).toBe(0);
    expect(r.errors.controlPlane).toBe(0);
    expect(r.relays!.count).toBeGreaterThan(0);
    expect(r.syncs.pushes).toBeGreaterThan(0);
  });

  it("today: a lost answer's outcomes are restored and reported again, so some predictions count twice", () => {
    const r = runScenario("today", small(3));
    expect(r.syncs.lost).toBeGreaterThan(0);
    expect(r.exact.duplicated).toBeGreaterThan(0);
    expect(r.relays).toBeNull();
  });

  it("boundsCheck passes a run within the bounds and names the bound a run breaks", () => {
    const ok = runScenario("relayed", small(3, 0));
    expect(boundsCheck(ok).ok).toBe(true);
    const slow = { ...ok, flip: { ...ok.flip, p99: 2500 } };
    const check = boundsCheck(slow);
    expect(check.ok).toBe(false);
    expect(check.lines.filter((l) => l.startsWith("✗"))).toEqual([expect.stringContaining("flip convergence p99 2.50 s")]);
  });
});
