// Covers the parsing half of control/src/admin-client.ts: the lenient status
// schema (unknown fields pass, the router's current shape parses), colorView
// for the per-colour numbers, bakeSecondsLeft, and the history shapes.
import { describe, expect, it } from "vitest";
import { bakeSecondsLeft, colorView, StatusSchema } from "../../control/src/admin-client.js";

const window = (color: string, seconds: number, requests: number, http5xx: number, counted = seconds) => ({
  color, seconds, fromSecond: 1_767_225_600 - counted + 1, toSecond: 1_767_225_600, requests, errors: { total: http5xx, http5xx, timeout: 0, connect: 0 },
  errorRate: requests ? http5xx / requests : null, p50Ms: requests ? 10 : null, p99Ms: requests ? 75 : null,
});
const health = (status: string, version: string | null) => ({ status, checkedAt: "2026-01-01T00:00:00.000Z", latencyMs: 3, version, digest: version && "sha256:ab", error: null, origins: [] });

/** A status as the router answers it today (trimmed), plus a field the CLI does not know. */
const routerStatus = {
  deployment: "default",
  active: "green",
  standby: "blue",
  epoch: 4,
  phase: "baking",
  updatedAt: "2026-01-01T00:00:00.000Z",
  reason: "rollout of green",
  bake: { startedAt: "2026-01-01T00:00:00.000Z", endsAt: "2026-01-01T00:02:00.000Z" },
  colors: {
    blue: { role: "standby", origins: [{ url: "http://127.0.0.1:8001", coolingDown: false }], health: health("healthy", "v1"), version: "v1", metrics: { fast: window("blue", 10, 0, 0), slow: window("blue", 60, 50, 0, 40) } },
    green: { role: "active", origins: [{ url: "http://127.0.0.1:8002", coolingDown: false }], health: health("unknown", null), version: null, metrics: { fast: window("green", 10, 200, 2), slow: window("green", 60, 400, 2) } },
  },
  policy: { fastWindowSeconds: 10, slowWindowSeconds: 60, bakeSeconds: 120 },
  verdict: { at: "2026-01-01T00:00:00.000Z", color: "green", phase: "baking", epoch: 4, verdict: "healthy", action: "none", window: null, reason: "fast window (10s): 2/200 errors …" },
  autoRollbackArmed: true,
  alerts: { pending: 0, oldestAt: null, lastError: null },
  nextAlarmAt: "2026-01-01T00:00:10.000Z",
  lastFlip: { at: "2026-01-01T00:00:00.000Z", from: "blue", to: "green", epoch: 4, kind: "manual", action: "flip", reason: "r", actor: "me", metrics: { color: "blue", verdict: "healthy" } },
  somethingNew: { anything: true },
};

describe("StatusSchema + colorView", () => {
  it("parses the router's status and keeps unknown fields", () => {
    const s = StatusSchema.parse(routerStatus);
    expect((s as Record<string, unknown>).somethingNew).toEqual({ anything: true });
  });

  it("takes the fast window's numbers for each colour", () => {
    const s = StatusSchema.parse(routerStatus);
    expect(colorView(s, "green")).toEqual({
      color: "green", active: true, origins: ["http://127.0.0.1:8002"], health: "unknown", version: null,
      requests: 200, errorRate: 0.01, p50Ms: 10, p99Ms: 75, windowSeconds: 10,
    });
    expect(colorView(s, "blue")).toMatchObject({ active: false, health: "healthy", version: "v1", requests: 0, errorRate: null });
  });

  it("gives the seconds a window actually counted: fewer than its length right after a flip", () => {
    const s = StatusSchema.parse({
      ...routerStatus,
      colors: { ...routerStatus.colors, green: { ...routerStatus.colors.green, metrics: { fast: window("green", 10, 60, 0, 3), slow: window("green", 60, 60, 0, 3) } } },
    });
    expect(colorView(s, "green")).toMatchObject({ requests: 60, windowSeconds: 3 });
    expect(s.verdict).toMatchObject({ verdict: "healthy" });
    expect(s.autoRollbackArmed).toBe(true);
  });

  it("reads flatter shapes too: colours at the top level, one metrics window, error counts", () => {
    const s = StatusSchema.parse({ active: "blue", epoch: 1, phase: "stable", blue: { origins: ["http://o"], health: "healthy", metrics: { requests: 10, errors: 1 } } });
    expect(colorView(s, "blue")).toMatchObject({ origins: ["http://o"], health: "healthy", requests: 10, errorRate: 0.1 });
    expect(colorView(s, "green")).toMatchObject({ health: "unknown", requests: null });
  });

  it("rejects an answer without the routing state", () => {
    expect(StatusSchema.safeParse({ hello: "world" }).success).toBe(false);
  });
});

describe("bakeSecondsLeft", () => {
  const s = StatusSchema.parse(routerStatus);
  it("counts down to bake.endsAt", () => {
    expect(bakeSecondsLeft(s, Date.parse("2026-01-01T00:01:30.000Z"))).toBe(30);
    expect(bakeSecondsLeft(s, Date.parse("2026-01-01T00:03:00.000Z"))).toBe(0);
  });
  it("falls back to the last flip plus the policy's bake length", () => {
    const noBake = StatusSchema.parse({ ...routerStatus, bake: null });
    expect(bakeSecondsLeft(noBake, Date.parse("2026-01-01T00:01:00.000Z"))).toBe(60);
  });
  it("is null when not baking", () => {
    expect(bakeSecondsLeft(StatusSchema.parse({ ...routerStatus, phase: "stable" }), Date.now())).toBeNull();
  });
});
