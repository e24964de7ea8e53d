// Covers the parsing half of control/src/admin-client.ts: the lenient status
// schema (unknown fields pass, the router's current shape parses), colorView
// for the per-colour numbers, bakeSecondsLeft, and the history shapes.
import { describe, expect, it } from "vitest";
import { bakeSecondsLeft, colorView, StatusSchema } from "../../control/src/admin-client.js";

const window = (color: string, seconds: number, requests: number, http5xx: number) => ({
  color, seconds, requests, errors: { total: http5xx, http5xx, timeout: 0, connect: 0 }, errorRate: requests ? http5xx / requests : null, p50Ms: requests ? 10 : null, p99Ms: requests ? 75 : null,
});

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
    blue: { role: "standby", origins: [{ url: "http://127.0.0.1:8001", coolingDown: false }], health: { status: "healthy", probe: null }, version: "v1", metrics: { fast: window("blue", 10, 0, 0), slow: window("blue", 60, 50, 0) } },
    green: { role: "active", origins: [{ url: "http://127.0.0.1:8002", coolingDown: false }], health: { status: "unknown", probe: null }, version: null, metrics: { fast: window("green", 10, 200, 2), slow: window("green", 60, 400, 2) } },
  },
  policy: { fastWindowSeconds: 10, slowWindowSeconds: 60, bakeSeconds: 120 },
  lastFlip: { at: "2026-01-01T00:00:00.000Z", from: "blue", to: "green", epoch: 4, kind: "manual", action: "flip", reason: "r", actor: "me", metrics: null },
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
