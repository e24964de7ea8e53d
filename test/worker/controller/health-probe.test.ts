// Covers worker/src/controller/health-probe.ts: probing a real model
// server's /health (status, version, digest, latency, the origin token
// sent), a 200 of another shape (healthy: the origin contract asks only a
// 2xx; the rule itself is tested in test/contract/origin.test.ts), an origin that refuses
// connections, a probe that runs out of time; and the pure rule that makes
// a pool's answers one colour result.
import { describe, expect, it } from "vitest";
import type { OriginProbe } from "../../../contract/probe.js";
import { poolResult, probeOrigin, probePool } from "../../../worker/src/controller/health-probe.js";
import { ORIGIN_TOKEN, origins, recorded } from "../helpers.js";

describe("probeOrigin", () => {
  it("reads a healthy model server's status, version and digest, and times the answer", async () => {
    const p = await probeOrigin(origins.BLUE_ORIGINS, ORIGIN_TOKEN);
    expect(p).toMatchObject({ url: origins.BLUE_ORIGINS, ok: true, status: 200, version: "v1" });
    expect(p.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(p.latencyMs).toBeGreaterThanOrEqual(0);
    expect(p.latencyMs).toBeLessThan(3_000);
  });

  it("sends the origin token, and counts a 200 of any other shape as healthy, with no version or digest", async () => {
    const p = await probeOrigin(origins.TEST_RECORDER_B, ORIGIN_TOKEN);
    expect(p).toMatchObject({ ok: true, status: 200 });
    expect(p).not.toHaveProperty("version");
    expect(p).not.toHaveProperty("digest");
    expect(p).not.toHaveProperty("error");
    const seen = (await recorded(origins.TEST_RECORDER_B, "")).filter((r) => r.path === "/health");
    expect(seen.at(-1)?.headers["x-origin-token"]).toBe(ORIGIN_TOKEN);
  });

  it("reports a refused connection as a connect error", async () => {
    const p = await probeOrigin(origins.TEST_DEAD_ORIGIN, ORIGIN_TOKEN);
    expect(p).toMatchObject({ ok: false, status: null });
    expect(p.error).toMatch(/^connect error: /);
  });

  it("gives up after its timeout", async () => {
    const p = await probeOrigin(`${origins.TEST_RECORDER_B}/__delay/2000`, ORIGIN_TOKEN, 200);
    expect(p).toMatchObject({ ok: false, status: null, error: "timeout after 200 ms" });
    expect(p.latencyMs).toBeLessThan(2_000);
  });

  it("probes a whole pool at once", async () => {
    const r = await probePool([origins.BLUE_ORIGINS, origins.TEST_DEAD_ORIGIN], ORIGIN_TOKEN);
    expect(r.ok).toBe(false);
    expect(r.origins!.map((o) => o.ok)).toEqual([true, false]);
  });
});

describe("poolResult", () => {
  const healthy = (url: string, latencyMs: number): OriginProbe => ({ url, ok: true, status: 200, latencyMs, version: "v2", digest: "sha256:aa" });
  const down: OriginProbe = { url: "http://b", ok: false, status: null, latencyMs: 3, error: "connect error: refused" };

  it("is healthy when every origin is, with their version and digest and the slowest latency", () => {
    expect(poolResult([healthy("http://a", 4), healthy("http://c", 9)], 1_000)).toMatchObject({
      ok: true,
      at: 1_000,
      version: "v2",
      digest: "sha256:aa",
      latencyMs: 9,
    });
  });

  it("is unhealthy when one origin is, naming it; version still from a healthy one", () => {
    const r = poolResult([down, healthy("http://a", 4)], 1_000);
    expect(r).toMatchObject({ ok: false, version: "v2", error: "http://b: connect error: refused" });
  });

  it("a single-origin pool's error is the origin's own; an empty pool is not healthy", () => {
    expect(poolResult([down], 1).error).toBe("connect error: refused");
    expect(poolResult([], 1).ok).toBe(false);
  });
});
