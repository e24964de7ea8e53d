// Covers control/src/validate/interleave.ts: the round sizes (an even number
// of rounds up to eight, at least one request per connection, adding up to
// the request count), merging batch outcomes, the alternating order, and a
// real interleaved run against two loopback HTTP servers: an uncounted
// warm-up to each side, then every request to each side in alternating
// blocks (target, baseline, baseline, target, …), each side's own
// latencies, and the deadline cutting both sides short.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mergeOutcomes, roundOrder, roundSizes, runInterleavedLoad } from "../../../control/src/validate/interleave.js";

describe("roundSizes", () => {
  it.each([
    [500, 50, [63, 63, 63, 63, 62, 62, 62, 62]],
    [120, 12, [15, 15, 15, 15, 15, 15, 15, 15]],
    [60, 20, [30, 30]],
    [40, 20, [20, 20]],
    [30, 20, [30]],
    [7, 1, [2, 1, 1, 1, 1, 1]],
    [1, 50, [1]],
  ])("%i requests at concurrency %i → %j", (requests, concurrency, sizes) => {
    expect(roundSizes(requests, concurrency)).toEqual(sizes);
    expect(roundSizes(requests, concurrency).reduce((a, b) => a + b, 0)).toBe(requests);
  });
});

it("mergeOutcomes adds batches up", () => {
  const a = { latenciesMs: [1, 2], statusCounts: { "200": 2 }, networkErrors: 0, timeouts: 0, durationMs: 100, cutShort: false };
  const b = { latenciesMs: [3], statusCounts: { "200": 1, "500": 1 }, networkErrors: 1, timeouts: 1, durationMs: 50, cutShort: true };
  expect(mergeOutcomes([a, b])).toEqual({ latenciesMs: [1, 2, 3], statusCounts: { "200": 3, "500": 1 }, networkErrors: 1, timeouts: 1, durationMs: 150, cutShort: true });
});

it("roundOrder alternates which side goes first", () => {
  expect([0, 1, 2, 3].map(roundOrder)).toEqual([["target", "baseline"], ["baseline", "target"], ["target", "baseline"], ["baseline", "target"]]);
});

describe("runInterleavedLoad against two loopback servers", () => {
  const arrivals: string[] = [];
  const servers: Server[] = [];
  const urls: Record<string, string> = {};

  /** A stand-in /predict that answers after `delayMs` and notes which side it is. */
  async function serve(side: string, delayMs: number): Promise<void> {
    const server = createServer((req, res) => {
      arrivals.push(side);
      req.resume().on("end", () => setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end(`{"prediction":"positive","confidence":0.8,"model_version":"v1"}`), delayMs));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push(server);
    urls[side] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  beforeAll(async () => {
    await serve("target", 60);
    await serve("baseline", 0);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  it("sends every request to each side, in alternating blocks, and measures each side apart", async () => {
    arrivals.length = 0;
    const opts = { requests: 40, concurrency: 4, timeoutMs: 5_000, deadlineMs: 30_000, texts: ["fine"] };
    const r = await runInterleavedLoad({ baseUrl: urls.target!, headers: {} }, { baseUrl: urls.baseline!, headers: {} }, opts);
    expect(r.rounds).toBe(8);
    expect(r.target).toMatchObject({ total: 40, errors: 0, cutShort: false });
    expect(r.baseline).toMatchObject({ total: 40, errors: 0, cutShort: false });
    expect(r.target.p99Ms!).toBeGreaterThanOrEqual(60);
    expect(r.baseline.p99Ms!).toBeLessThan(r.target.p99Ms!);
    // Batches: warm-up B, warm-up T, then T B | B T | T B | … — in blocks of one side: B T B T B T B T B T.
    const blocks = arrivals.filter((side, i) => i === 0 || arrivals[i - 1] !== side);
    expect(blocks).toEqual(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? "baseline" : "target")));
    // Four warm-up requests each (one per connection), not counted in the stats.
    expect(arrivals.filter((s) => s === "target")).toHaveLength(44);
    expect(arrivals.filter((s) => s === "baseline")).toHaveLength(44);
  });

  it("stops at the deadline, cutting both sides short", async () => {
    const opts = { requests: 200, concurrency: 2, timeoutMs: 5_000, deadlineMs: 300, texts: ["fine"] };
    const r = await runInterleavedLoad({ baseUrl: urls.target!, headers: {} }, { baseUrl: urls.baseline!, headers: {} }, opts);
    expect(r.target.cutShort).toBe(true);
    expect(r.baseline.cutShort).toBe(true);
    expect(r.target.total).toBeLessThan(200);
  });
});
