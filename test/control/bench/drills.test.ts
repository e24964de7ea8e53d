// Covers the bench's pure parts (control/bench/): summarizeFlip (first new /
// last old answer relative to the flip, failures by reason), seedDetection
// (when the seed's cumulative 10-second monitor would roll back), costBetween
// and checkTargets (each target met or missed, by how much), the router's
// ratios to the passthrough Worker, and the report of an `--only router` run.
import { describe, expect, it } from "vitest";
import { costBetween } from "../../../control/bench/cost.js";
import { summarizeFlip } from "../../../control/bench/flip-drill.js";
import { renderMarkdown } from "../../../control/bench/report.js";
import { checkTargets, routerVsPassthrough, type BenchResults } from "../../../control/bench/targets.js";
import { seedDetection } from "../../../control/bench/rollback-drill.js";
import type { Answer } from "../../../control/bench/traffic.js";

const answer = (at: number, color: string | null, status = 200, error: string | null = null): Answer => ({ at, status, color, failover: null, error });

describe("summarizeFlip", () => {
  it("times the first new and the last old answer from the flip, and counts failures by reason", () => {
    const answers = [answer(990, "blue"), answer(1005, "blue"), answer(1012, "green"), answer(1020, "blue"), answer(1030, "green"), answer(1031, null, 0, "ECONNRESET"), answer(1032, null, 502)];
    const r = summarizeFlip(answers, 1000, 4, "blue", "green");
    expect(r).toMatchObject({ total: 7, failed: 2, firstNewMs: 12, lastOldMs: 20, commandMs: 4, newBeforeFlip: 0, failures: { ECONNRESET: 1, "HTTP 502": 1 } });
  });

  it("says when the new colour never answered", () => {
    expect(summarizeFlip([answer(1, "blue")], 0, 1, "blue", "green").firstNewMs).toBeNull();
  });
});

describe("seedDetection", () => {
  it("crosses 5% cumulative at threshold·healthy/(fault − threshold) s, then waits for the next 10 s poll", () => {
    const d = seedDetection({ ratePerSecond: 50, healthySeconds: 10, faultRate: 0.3, pollSeconds: 10, threshold: 0.05 });
    expect(d!.crossS).toBeCloseTo(2, 10);
    expect(d).toMatchObject({ minS: d!.crossS, meanS: d!.crossS + 5, maxS: d!.crossS + 10 });
  });

  it("never fires when the failure rate is not above the threshold", () => {
    expect(seedDetection({ ratePerSecond: 50, healthySeconds: 10, faultRate: 0.05, pollSeconds: 10, threshold: 0.05 })).toBeNull();
  });
});

const counters = (predictions: number, doCalls: number, kvReads: number, byMethod: Record<string, number> = {}) => ({ predictions, requests: predictions, doCalls, kvReads, doCallsByMethod: byMethod });

describe("costBetween", () => {
  it("divides the calls and reads made between two readings by the predictions served", () => {
    const c = costBetween(counters(100, 3, 1, { report: 2, getRoutingState: 1 }), counters(600, 13, 1, { report: 12, getRoutingState: 1 }), 10);
    expect(c).toMatchObject({ predictions: 500, doCalls: 10, kvReads: 0, doPerPrediction: 0.02, kvPerPrediction: 0, doCallsByMethod: { report: 10 } });
  });
});

const stats = (throughput: number, p50Ms: number) => ({
  total: throughput * 10, errors: 0, errorRate: 0, non2xx: 0, networkErrors: 0, timeouts: 0, statusCounts: {}, durationMs: 10_000,
  throughput, p50Ms, p95Ms: p50Ms * 2, p99Ms: p50Ms * 3, maxMs: p50Ms * 4, cutShort: false,
});
const flip = (failed: number) => ({ total: 1000, failed, failures: (failed ? { ECONNRESET: failed } : {}) as Record<string, number>, firstNewMs: 5, lastOldMs: 6, commandMs: 3, newBeforeFlip: 0 });
const cost = (doPerPrediction: number, kvPerPrediction: number) => ({ predictions: 500, seconds: 10, doCalls: 0, kvReads: 0, doCallsByMethod: {}, doPerPrediction, kvPerPrediction });

function results(over: Partial<BenchResults> = {}): BenchResults {
  return {
    machine: { date: "2026-11-26T00:00:00Z", nproc: 2, cpu: "cpu", os: "linux", node: "v20", load: [1, 1, 1], others: [] },
    command: "npm run bench",
    settings: { durationS: 10, rounds: 1, roundRatios: [], connections: 32, sequential: 1000, rate: 50, healthyS: 10, faultRate: 0.3, flipConcurrency: 16 },
    nginx: { ran: true, version: "nginx/1.22.1" },
    throughput: [{ name: "direct", stats: stats(5000, 5) }, { name: "nginx", stats: stats(4000, 6) }, { name: "router", stats: stats(2400, 10) }],
    sequential: [{ name: "direct", stats: { count: 1000, errors: 0, p50Ms: 0.5, p99Ms: 2 } }, { name: "router", stats: { count: 1000, errors: 0, p50Ms: 1.7, p99Ms: 5 } }],
    flips: [{ name: "nginx", how: "reload", result: flip(3) }, { name: "router", how: "POST /admin/flip", result: flip(0) }],
    rollback: { firstFailureAfterFaultMs: 20, detectionMs: 1200, phase: "rolled_back", reason: "fast window", requestsAfterFault: 60, failovers: 18, clientFailures: 0, timedOut: false },
    seed: seedDetection({ ratePerSecond: 50, healthySeconds: 10, faultRate: 0.3, pollSeconds: 10, threshold: 0.05 }),
    cost: [{ load: "saturated", cost: cost(0.0005, 0) }],
    ...over,
  };
}

describe("checkTargets", () => {
  it("meets every target on good numbers", () => {
    const checks = checkTargets(results());
    expect(checks.map((c) => c.met)).toEqual([true, true, true, true, true, true]);
    expect(checks[0]!.observed).toBe("0.60×");
    expect(checks[1]!.observed).toMatch(/^\+1\.20 ms/);
  });

  it("says by how much a target is missed", () => {
    const checks = checkTargets(
      results({
        throughput: [{ name: "direct", stats: stats(5000, 5) }, { name: "nginx", stats: stats(4000, 6) }, { name: "router", stats: stats(1600, 10) }],
        rollback: { ...(results().rollback as object), detectionMs: 3500 } as BenchResults["rollback"],
        cost: [{ load: "50 req/s", cost: cost(0.025, 0.002) }],
      }),
    );
    expect(checks[0]).toMatchObject({ met: false, note: "short by 0.10× (400 req/s)" });
    expect(checks[3]).toMatchObject({ met: false, note: "over by 0.50 s" });
    expect(checks[4]).toMatchObject({ met: false, note: "over by 0.0050" });
    expect(checks[5]).toMatchObject({ met: false, note: "over by 0.00100" });
  });

  it("marks what was not measured (nginx skipped, rollback failed) as such", () => {
    const checks = checkTargets(results({ nginx: { ran: false, reason: "--skip-nginx" }, throughput: [{ name: "direct", stats: stats(5000, 5) }, { name: "router", stats: stats(2400, 10) }], rollback: { error: "HTTP 500" } }));
    expect(checks[0]).toMatchObject({ met: null, observed: "nginx not run" });
    expect(checks[3]).toMatchObject({ met: null, observed: "not measured: HTTP 500" });
  });
});

describe("renderMarkdown", () => {
  it("has the machine line, the command and every table", () => {
    const md = renderMarkdown(results());
    expect(md).toContain("Command: `npm run bench`");
    for (const heading of ["### Throughput and latency", "### Flip under load", "### Automatic rollback", "### Cost per prediction", "### Targets"]) expect(md).toContain(heading);
    expect(md).toContain("Ratios: router/nginx 0.60× · router/direct 0.48×");
    expect(md).toContain("| seed monitor (computed) |");
  });
});

describe("router against the passthrough Worker", () => {
  const withCpu = (name: string, throughput: number, cpuMs: number) => ({ name, stats: stats(throughput, 5), cpuMsPerRequest: { proxy: cpuMs, origin: 0.25 } });
  /** What `npm run bench -- --only router` produces: no nginx, no drills. */
  function routerOnly(routerReqPerS: number, routerCpuMs: number, bundleBytes: number): BenchResults {
    const { sequential: _s, flips: _f, rollback: _r, seed: _seed, cost: _c, ...base } = results();
    return {
      ...base,
      nginx: { ran: false, reason: "--only router" },
      settings: {
        ...base.settings,
        rounds: 2,
        roundRatios: [{ "workerd passthrough": 2000, router: 1900 }, { "workerd passthrough": 2200, router: 1870 }],
        cpuRounds: [{ "workerd passthrough": 0.3, router: 0.33 }, { "workerd passthrough": 0.32, router: 0.384 }],
      },
      throughput: [withCpu("workerd passthrough", 2100, 0.31), withCpu("router", routerReqPerS, routerCpuMs)],
      bundle: { bytes: bundleBytes, gzipBytes: 40_000, file: "index.js" },
    };
  }

  it("gives throughput and CPU ratios pooled and per round", () => {
    const rp = routerVsPassthrough(routerOnly(1890, 0.341, 200_000));
    expect(rp.throughput).toBeCloseTo(0.9);
    expect(rp.cpu).toBeCloseTo(1.1);
    expect(rp.throughputRounds.map((x) => Number(x.toFixed(2)))).toEqual([0.95, 0.85]);
    expect(rp.cpuRounds.map((x) => Number(x.toFixed(2)))).toEqual([1.1, 1.2]);
  });

  it("checks the hot path's targets and the bundle size, and skips the drills' targets", () => {
    const met = checkTargets(routerOnly(1890, 0.341, 200_000));
    expect(met.map((c) => [c.target.split(" ")[1], c.met])).toEqual([["throughput", null], ["throughput", true], ["CPU", true], ["bundle", true]]);
    const missed = checkTargets(routerOnly(1600, 0.40, 400 * 1024));
    expect(missed.slice(1)).toMatchObject([
      { met: false, observed: "0.76×", note: "short by 0.14×" },
      { met: false, observed: "1.29×", note: "over by 0.14×" },
      { met: false, note: "over by 100.0 KiB" },
    ]);
  });

  it("renders the throughput table, the ratios and the bundle, and no drill sections", () => {
    const md = renderMarkdown(routerOnly(1890, 0.341, 200_000));
    expect(md).toContain("Worker bundle (wrangler deploy --dry-run): 200,000 bytes (195.3 KiB), 39.1 KiB gzipped");
    expect(md).toContain("Router ÷ workerd passthrough: throughput **0.90×** (per round 0.85–0.95×), proxy CPU per request **1.10×** (per round 1.10–1.20×)");
    expect(md).toContain("| router | 1,890 |");
    for (const heading of ["### Flip under load", "### Automatic rollback", "### Cost per prediction", "One connection"]) expect(md).not.toContain(heading);
  });
});
