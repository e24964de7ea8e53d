// Covers control/bench/targets.ts's label-telemetry figures (npm run bench):
// the router with LABEL_TELEMETRY on against the same router with it off —
// throughput ratio pooled and per round, the added proxy CPU per prediction
// — and the ≥ 0.95× target, met or missed; without the labels-off run
// there is neither figure nor check.
import { describe, expect, it } from "vitest";
import { checkTargets, labelTelemetryCost, UNLABELLED, type BenchResults } from "../../../control/bench/targets.js";
import type { LoadStats } from "../../../control/src/validate/load.js";

function results(on: { rps: number; cpu: number }, off: { rps: number; cpu: number } | null): BenchResults {
  const row = (name: string, t: { rps: number; cpu: number }) => ({ name, stats: { throughput: t.rps } as LoadStats, cpuMsPerRequest: { proxy: t.cpu, origin: 0.5 } });
  return {
    machine: {} as BenchResults["machine"],
    command: "npm run bench",
    settings: {
      durationS: 10, rounds: 2, connections: 32, sequential: 1000, rate: 50, healthyS: 10, faultRate: 0.3, flipConcurrency: 16,
      roundRatios: [{ router: on.rps - 10, [UNLABELLED]: (off?.rps ?? 0) - 10 }, { router: on.rps + 10, [UNLABELLED]: (off?.rps ?? 0) + 10 }],
      cpuRounds: [{ router: on.cpu, [UNLABELLED]: off?.cpu ?? null }],
    },
    nginx: { ran: false, reason: "test" },
    throughput: [row("router", on), ...(off === null ? [] : [row(UNLABELLED, off)])],
  };
}

describe("label telemetry's cost", () => {
  it("throughput with ÷ without, and the added CPU per prediction", () => {
    const lt = labelTelemetryCost(results({ rps: 980, cpu: 0.52 }, { rps: 1000, cpu: 0.5 }));
    expect(lt.throughput).toBeCloseTo(0.98, 10);
    expect(lt.throughputRounds.map((x) => Number(x.toFixed(4)))).toEqual([0.9798, 0.9802]);
    expect(lt.cpuMsPerPrediction).toBeCloseTo(0.02, 10);
    expect(lt.cpuRoundsMs[0]).toBeCloseTo(0.02, 10);
  });

  it("the target: met at 0.98×, missed at 0.90×", () => {
    const target = (r: BenchResults) => checkTargets(r).find((c) => c.target.startsWith("router throughput with label telemetry"));
    expect(target(results({ rps: 980, cpu: 0.52 }, { rps: 1000, cpu: 0.5 }))).toMatchObject({ met: true, observed: "0.980×, +20.00 µs CPU per prediction" });
    expect(target(results({ rps: 900, cpu: 0.6 }, { rps: 1000, cpu: 0.5 }))).toMatchObject({ met: false, note: "short by 0.050×" });
  });

  it("without the labels-off run: no figure, no check", () => {
    const r = results({ rps: 980, cpu: 0.52 }, null);
    expect(labelTelemetryCost(r).throughput).toBeNull();
    expect(checkTargets(r).some((c) => c.target.includes("label telemetry"))).toBe(false);
  });
});
