// Covers worker/src/controller/stored-shapes.ts and history-rows.ts, the
// pure readers of everything the controller stores: each key's current shape
// read as is; the older shapes found in the code's history upgraded (the
// first version's routing state without `health`; the first version's probe
// record without latencyMs/origins; history rows with metrics NULL); and
// unreadable values reset to each key's safe default, with the problem named.
import { describe, expect, it } from "vitest";
import { readHistoryRow } from "../../../worker/src/controller/history-rows.js";
import {
  readArmed,
  readBake,
  readKvWritten,
  readOutbox,
  readProbe,
  readRouting,
  readTimeline,
  readVerdict,
  readWindows,
  type RoutingContext,
} from "../../../worker/src/controller/stored-shapes.js";
import { MetricWindows } from "../../../worker/src/controller/metric-windows.js";
import { Timeline } from "../../../worker/src/controller/timeline.js";
import type { RoutingState } from "../../../contract/routing.js";
import { bucket } from "./builders.js";

const NOW = 1_764_150_000_000;
const ctx: RoutingContext = { nowMs: NOW, health: { blue: "healthy", green: "unhealthy" }, highestEpoch: 7, latestUpdatedAt: NOW - 50 };
const state: RoutingState = {
  active: "green",
  epoch: 4,
  phase: "baking",
  updatedAt: NOW - 1_000,
  reason: "ship v2",
  health: { blue: "healthy", green: "healthy" },
};

describe("readRouting", () => {
  it("reads the current shape as is", () => {
    expect(readRouting(state, ctx)).toEqual({ outcome: "current", value: state });
  });

  it("upgrades the first version's routing state without health: health from the probes, updatedAt moved on so KV and isolates take it", () => {
    const { health: _dropped, ...old } = state;
    const r = readRouting(old, ctx);
    expect(r.outcome).toBe("upgraded");
    expect(r.value).toEqual({ ...old, health: ctx.health, updatedAt: NOW });
  });

  it("rebuilds only the health when only the health is unreadable", () => {
    const r = readRouting({ ...state, health: { blue: "fine" } }, ctx);
    expect(r).toMatchObject({ outcome: "reset", fix: "health rebuilt from the stored probes" });
    expect(r.value).toEqual({ ...state, health: ctx.health, updatedAt: NOW });
  });

  it("resets garbage to the readable active colour, phase stable, an epoch above every one seen", () => {
    const r = readRouting({ active: "green", epoch: 3, phase: "paused" }, ctx);
    expect(r.outcome).toBe("reset");
    expect(r.value).toMatchObject({ active: "green", phase: "stable", epoch: 8, health: ctx.health });
    expect(r.value.updatedAt).toBeGreaterThanOrEqual(NOW);
    if (r.outcome === "reset") expect(r.problem).toContain("phase");
  });

  it("resets something that is no state at all to blue, above its own epoch when that is the highest", () => {
    expect(readRouting("blue", ctx).value).toMatchObject({ active: "blue", phase: "stable", epoch: 8 });
    expect(readRouting({ active: "purple", epoch: 12 }, ctx).value).toMatchObject({ active: "blue", epoch: 13 });
    expect(readRouting(null, { ...ctx, highestEpoch: 0 }).value.epoch).toBe(2);
  });
});

describe("readBake", () => {
  const bakeCtx = { baking: true, nowMs: NOW, bakeMs: 120_000 };

  it("reads the only shape there has been", () => {
    expect(readBake({ startedAt: NOW - 10, endsAt: NOW + 10 }, bakeCtx)).toEqual({ outcome: "current", value: { startedAt: NOW - 10, endsAt: NOW + 10 } });
  });

  it("restarts an unreadable bake from now while baking: the colour stays guarded and must prove itself again", () => {
    const r = readBake({ deadline: "soon" }, bakeCtx);
    expect(r).toMatchObject({ outcome: "reset", value: { startedAt: NOW, endsAt: NOW + 120_000 } });
    expect(readBake({ startedAt: NOW, endsAt: NOW - 1 }, bakeCtx).outcome).toBe("reset");
  });

  it("drops an unreadable bake when not baking", () => {
    expect(readBake(42, { ...bakeCtx, baking: false })).toMatchObject({ outcome: "reset", value: null });
  });
});

describe("readProbe", () => {
  it("reads the first version's record (no latencyMs, no origins) and today's", () => {
    const first = { ok: false, at: NOW, error: "HTTP 503" };
    expect(readProbe(first)).toEqual({ outcome: "current", value: first });
    const today = { ...first, latencyMs: 3, origins: [{ url: "http://127.0.0.1:1", ok: false, status: 503, latencyMs: 3 }] };
    expect(readProbe(today)).toEqual({ outcome: "current", value: today });
  });

  it("drops an unreadable probe (health unknown until the next one)", () => {
    expect(readProbe({ ok: "yes" })).toMatchObject({ outcome: "reset", value: null });
  });
});

describe("the other keys", () => {
  it("kv_written: read, or dropped so KV is written again", () => {
    expect(readKvWritten({ epoch: 2, updatedAt: NOW })).toEqual({ outcome: "current", value: { epoch: 2, updatedAt: NOW } });
    expect(readKvWritten("2")).toMatchObject({ outcome: "reset", value: null });
  });

  it("windows and timeline: version 1 read; anything else starts empty", () => {
    const windows = new MetricWindows(60);
    windows.add(bucket(1_000, "green", { requests: 5, errors: 1 }), 1_000);
    expect(readWindows(windows.toJSON())).toEqual({ outcome: "current", value: windows.toJSON() });
    expect(readWindows({ ...windows.toJSON(), version: 2 })).toMatchObject({ outcome: "reset", value: null });
    const timeline = new Timeline();
    timeline.addReport({ buckets: [bucket(1_000, "blue", { requests: 3 })] }, 1_000);
    expect(readTimeline(timeline.toJSON())).toEqual({ outcome: "current", value: timeline.toJSON() });
    expect(readTimeline([])).toMatchObject({ outcome: "reset", value: null });
  });

  it("auto_rollback_armed: absent or true is armed, false disarmed; anything else armed again", () => {
    expect(readArmed(undefined)).toEqual({ outcome: "current", value: true });
    expect(readArmed(false)).toEqual({ outcome: "current", value: false });
    expect(readArmed("false")).toMatchObject({ outcome: "reset", value: true });
  });

  it("last_verdict: read, or dropped until the next evaluation", () => {
    const verdict = { at: NOW, color: "green", phase: "baking", epoch: 2, verdict: "healthy", action: "none", window: null, reason: "ok" };
    expect(readVerdict(verdict)).toEqual({ outcome: "current", value: verdict });
    expect(readVerdict({ ...verdict, verdict: "great" })).toMatchObject({ outcome: "reset", value: null });
  });

  it("alert_outbox: keeps the readable alerts, drops the rest; no list at all empties it", () => {
    const alert = { id: "a", kind: "bake_passed", text: "t", createdAt: NOW, attempts: 0 };
    expect(readOutbox([alert])).toEqual({ outcome: "current", value: [alert] });
    const r = readOutbox([alert, { id: "b", kind: "party" }]);
    expect(r).toMatchObject({ outcome: "reset", value: [alert], fix: "1 unreadable alert(s) dropped, 1 kept" });
    expect(readOutbox({ id: "a" })).toMatchObject({ outcome: "reset", value: [] });
  });
});

describe("readHistoryRow", () => {
  const row = {
    id: 1,
    at: "2025-11-26T09:40:00.000Z",
    from_color: "blue",
    to_color: "green",
    epoch: 2,
    kind: "manual",
    action: "flip",
    reason: "ship v2",
    actor: "alice",
    metrics: null as string | null,
  };

  it("reads a first-version row (metrics NULL for a manual change) and a row with metrics", () => {
    expect(readHistoryRow(row)).toMatchObject({ outcome: "current", entry: { from: "blue", to: "green", epoch: 2, metrics: null } });
    expect(readHistoryRow({ ...row, metrics: '{"color":"blue","fastRequests":3}' })).toMatchObject({
      outcome: "current",
      entry: { metrics: { color: "blue", fastRequests: 3 } },
    });
  });

  it("never guesses a colour: a row with one nobody wrote does not read", () => {
    const r = readHistoryRow({ ...row, to_color: "purple" });
    expect(r.outcome).toBe("unreadable");
    if (r.outcome === "unreadable") expect(r.problem).toContain("to_color");
    expect(readHistoryRow({ ...row, at: "yesterday" }).outcome).toBe("unreadable");
    expect(readHistoryRow({ ...row, action: "undo" }).outcome).toBe("unreadable");
  });

  it("keeps a row whose only fault is its metrics, without them", () => {
    expect(readHistoryRow({ ...row, metrics: "{not json" })).toMatchObject({ outcome: "metrics_unreadable", entry: { metrics: null } });
    expect(readHistoryRow({ ...row, metrics: '{"nested":{"a":1}}' }).outcome).toBe("metrics_unreadable");
  });
});
