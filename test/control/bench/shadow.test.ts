// Covers control/bench/shadow.ts's pure parts: the shadow targets (added p50
// for the user on one connection ≤ 0.2 ms, throughput ≥ 0.5× the unshadowed
// router's), each met or missed by how much, and the report's section.
import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../../control/bench/report.js";
import { SHADOWED, shadowChecks, type ShadowCost } from "../../../control/bench/shadow.js";
import type { BenchResults } from "../../../control/bench/targets.js";

const stats = (throughput: number) => ({
  total: throughput * 10, errors: 0, errorRate: 0, non2xx: 0, networkErrors: 0, timeouts: 0, statusCounts: {}, durationMs: 10_000,
  throughput, p50Ms: 5, p95Ms: 10, p99Ms: 15, maxMs: 20, cutShort: false,
});
const seq = (p50Ms: number) => ({ count: 500, errors: 0, p50Ms, p99Ms: p50Ms * 3 });

function results(shadowThroughput: number, cost: ShadowCost): BenchResults {
  return {
    machine: { date: "2026-11-30T00:00:00Z", nproc: 2, cpu: "cpu", os: "linux", node: "v20", load: [1, 1, 1], others: [] },
    command: "npm run bench -- --only router",
    settings: { durationS: 10, rounds: 1, roundRatios: [], connections: 32, sequential: 1000, rate: 50, healthyS: 10, faultRate: 0.3, flipConcurrency: 16 },
    nginx: { ran: false, reason: "--only router" },
    throughput: [{ name: "router", stats: stats(1000) }, { name: SHADOWED, stats: stats(shadowThroughput) }],
    shadow: cost,
  };
}

describe("the shadow targets", () => {
  it("are met at +0.1 ms p50 and 0.6× throughput, and the report shows both routers and the mirrors", () => {
    const r = results(600, { rounds: 6, plain: seq(1.5), shadowed: seq(1.6), mirrored: { sent: 9000, dropped: 12, compared: 9000, agreement: 0.851 } });
    expect(shadowChecks(r).map((c) => c.met)).toEqual([true, true]);
    const md = renderMarkdown(r);
    expect(md).toContain("### Shadow traffic");
    expect(md).toContain("| green shadowed at sample 1.0 | 1.60 ms |");
    expect(md).toContain("9,000 sent, 12 dropped over SHADOW_MAX_IN_FLIGHT, 9,000 compared, agreement 85.1%");
  });

  it("are missed, by how much, at +0.5 ms p50 and 0.4× throughput", () => {
    const [p50, throughput] = shadowChecks(results(400, { rounds: 6, plain: seq(1.5), shadowed: seq(2), mirrored: null }));
    expect(p50).toMatchObject({ met: false, note: "over by 0.30 ms" });
    expect(throughput).toMatchObject({ met: false, observed: "0.40× (400 vs 1,000 req/s)" });
  });

  it("are not measured without a shadow run", () => {
    const r = results(600, { rounds: 6, plain: seq(1.5), shadowed: seq(1.6), mirrored: null });
    delete r.shadow;
    expect(shadowChecks(r)[0]!.met).toBeNull();
  });
});
