// Covers control/sim/traffic.ts — traffic aggregated per isolate and tick
// into the router's real TelemetryBuffer: every drawn attempt is counted
// exactly once (active attempts, failover attempts, their errors), failures
// reach users only when both colours fail or failover is not allowed, and
// the early-flush counters (served, errors) match the draws.
import { describe, expect, it } from "vitest";
import { Rng } from "../../../control/sim/engine/rng.js";
import { drawTick, emptyTick, recordTick } from "../../../control/sim/traffic.js";
import { TelemetryBuffer } from "../../../worker/src/telemetry.js";

describe("drawTick + recordTick", () => {
  it("counts every attempt once: buffer totals equal the draws over 2,000 ticks", () => {
    const rng = new Rng(4);
    const buffer = new TelemetryBuffer();
    const totals = { served: 0, blue: 0, green: 0, blueErrors: 0, greenErrors: 0, user: 0 };
    const out = emptyTick();
    for (let i = 0; i < 2000; i++) {
      const t = drawTick(rng, 10, 0.3, 0.05, true, out);
      expect(t.activeErrors).toBeLessThanOrEqual(t.activeRequests);
      expect(t.standbyRequests).toBe(t.activeErrors);
      recordTick(buffer, "green", "blue", t, i * 100);
      totals.served += t.served;
      totals.green += t.activeRequests;
      totals.greenErrors += t.activeErrors;
      totals.blue += t.standbyRequests;
      totals.blueErrors += t.standbyErrors;
      totals.user += t.userErrors;
    }
    expect(buffer.served).toBe(totals.served);
    expect(buffer.errors).toBe(totals.greenErrors + totals.blueErrors);
    const batch = buffer.take();
    const sum = (color: string, f: (b: (typeof batch.buckets)[number]) => number) =>
      batch.buckets.filter((b) => b.color === color).reduce((a, b) => a + f(b), 0);
    expect(sum("green", (b) => b.counts.requests)).toBe(totals.green);
    expect(sum("blue", (b) => b.counts.requests)).toBe(totals.blue);
    expect(sum("green", (b) => b.counts.errors.http5xx)).toBe(totals.greenErrors);
    expect(sum("blue", (b) => b.counts.errors.http5xx)).toBe(totals.blueErrors);
    expect(sum("green", (b) => b.counts.latency.reduce((x, y) => x + y, 0))).toBe(totals.green);
    // 200 s of ticks, one bucket per second and colour.
    expect(new Set(batch.buckets.map((b) => b.second)).size).toBe(200);
    // Users see only the failover attempts that failed too.
    expect(totals.user).toBe(totals.blueErrors);
    expect(totals.green / 2000).toBeGreaterThan(9.5);
    expect(totals.greenErrors / totals.green).toBeGreaterThan(0.28);
  });

  it("without failover every failed attempt reaches its user and the standby gets nothing", () => {
    const rng = new Rng(8);
    const out = emptyTick();
    let errors = 0;
    let user = 0;
    for (let i = 0; i < 500; i++) {
      const t = drawTick(rng, 10, 0.3, 0, false, out);
      expect(t.standbyRequests).toBe(0);
      errors += t.activeErrors;
      user += t.userErrors;
    }
    expect(errors).toBeGreaterThan(0);
    expect(user).toBe(errors);
  });
});
