// Covers worker/src/controller/transitions.ts, one rule per test: flips need
// a matching expectedEpoch, a different colour and a target not known
// unhealthy (unless force); a flip starts a bake; rollback goes to the
// standby from baking or stable only, never on a deployment that never
// flipped; every change bumps the epoch and yields a history entry; a flip
// re-arms automatic rollback and an automatic rollback disarms it.
import { describe, expect, it } from "vitest";
import type { RoutingState } from "../../../contract/routing.js";
import { planFlip, planRollback, type Probes } from "../../../worker/src/controller/transitions.js";
import { initialRoutingState } from "../../../worker/src/routing-state.js";

const T0 = 1_700_000_000_000;
const NO_PROBES: Probes = { blue: null, green: null };
const initial = initialRoutingState(T0);
const baking: RoutingState = { ...initial, active: "green", epoch: 2, phase: "baking", updatedAt: T0 + 1 };

describe("planFlip", () => {
  it("flips to the other colour, bumps the epoch, starts a bake of bakeSeconds", () => {
    const plan = planFlip(initial, { to: "green", actor: "alice", reason: "v2" }, NO_PROBES, T0 + 10, 120);
    expect(plan).toMatchObject({
      ok: true,
      state: { active: "green", epoch: 2, phase: "baking", reason: "v2", updatedAt: T0 + 10 },
      entry: { from: "blue", to: "green", epoch: 2, kind: "manual", action: "flip", actor: "alice", metrics: null },
      bake: { startedAt: T0 + 10, endsAt: T0 + 10 + 120_000 },
    });
  });

  it("refuses a stale expectedEpoch", () => {
    expect(planFlip(baking, { to: "blue", actor: "a", expectedEpoch: 1 }, NO_PROBES, T0, 120)).toMatchObject({
      ok: false,
      reason: "epoch_mismatch",
      details: { expectedEpoch: 1, currentEpoch: 2 },
    });
  });

  it("accepts the current expectedEpoch", () => {
    expect(planFlip(baking, { to: "blue", actor: "a", expectedEpoch: 2 }, NO_PROBES, T0, 120).ok).toBe(true);
  });

  it("refuses the colour that is already active", () => {
    expect(planFlip(initial, { to: "blue", actor: "a" }, NO_PROBES, T0, 120)).toMatchObject({ ok: false, reason: "already_active" });
  });

  it("refuses a target whose last probe failed, unless force", () => {
    const probes: Probes = { blue: null, green: { ok: false, at: T0, error: "HTTP 503" } };
    expect(planFlip(initial, { to: "green", actor: "a" }, probes, T0, 120)).toMatchObject({ ok: false, reason: "target_unhealthy" });
    expect(planFlip(initial, { to: "green", actor: "a", force: true }, probes, T0, 120).ok).toBe(true);
  });

  it("allows a target never probed, and records both colours' health in the new state", () => {
    const probes: Probes = { blue: { ok: true, at: T0 }, green: null };
    const plan = planFlip(initial, { to: "green", actor: "a" }, probes, T0, 120);
    expect(plan).toMatchObject({ ok: true, state: { health: { blue: "healthy", green: "unknown" } } });
  });

  it("flips out of rolled_back into a new bake", () => {
    const rolledBack: RoutingState = { ...initial, epoch: 3, phase: "rolled_back" };
    expect(planFlip(rolledBack, { to: "green", actor: "a" }, NO_PROBES, T0, 60)).toMatchObject({ ok: true, state: { phase: "baking", epoch: 4 } });
  });
});

describe("planRollback", () => {
  it("goes back to the standby, phase rolled_back, no bake", () => {
    expect(planRollback(baking, { actor: "a", reason: "errors" }, NO_PROBES, T0 + 5)).toMatchObject({
      ok: true,
      state: { active: "blue", epoch: 3, phase: "rolled_back", reason: "errors" },
      entry: { from: "green", to: "blue", action: "rollback", kind: "manual" },
      bake: null,
    });
  });

  it("works from stable after a flip", () => {
    expect(planRollback({ ...baking, phase: "stable" }, { actor: "a" }, NO_PROBES, T0).ok).toBe(true);
  });

  it("refuses when already rolled back", () => {
    expect(planRollback({ ...baking, phase: "rolled_back" }, { actor: "a" }, NO_PROBES, T0)).toMatchObject({ ok: false, reason: "nothing_to_roll_back" });
  });

  it("refuses on a deployment that never flipped", () => {
    expect(planRollback(initial, { actor: "a" }, NO_PROBES, T0)).toMatchObject({ ok: false, reason: "nothing_to_roll_back" });
  });

  it("refuses a stale expectedEpoch and an unhealthy standby (unless force)", () => {
    expect(planRollback(baking, { actor: "a", expectedEpoch: 7 }, NO_PROBES, T0)).toMatchObject({ ok: false, reason: "epoch_mismatch" });
    const probes: Probes = { blue: { ok: false, at: T0, error: "timeout" }, green: null };
    expect(planRollback(baking, { actor: "a" }, probes, T0)).toMatchObject({ ok: false, reason: "target_unhealthy" });
    expect(planRollback(baking, { actor: "a", force: true }, probes, T0).ok).toBe(true);
  });

  it("records an automatic rollback's kind and metrics", () => {
    const plan = planRollback(baking, { actor: "controller", kind: "auto", metrics: { errorRate: 0.4 } }, NO_PROBES, T0);
    expect(plan).toMatchObject({ ok: true, entry: { kind: "auto", actor: "controller", metrics: { errorRate: 0.4 } } });
  });
});

describe("arming of automatic rollback", () => {
  it("a flip re-arms it, an automatic rollback disarms it, a manual rollback leaves it as it is", () => {
    expect(planFlip(initial, { to: "green", actor: "a" }, NO_PROBES, T0, 120)).toMatchObject({ ok: true, autoRollbackArmed: true });
    expect(planRollback(baking, { actor: "controller", kind: "auto" }, NO_PROBES, T0)).toMatchObject({ ok: true, autoRollbackArmed: false });
    const manual = planRollback(baking, { actor: "a" }, NO_PROBES, T0);
    expect(manual.ok && manual.autoRollbackArmed).toBeUndefined();
  });
});
