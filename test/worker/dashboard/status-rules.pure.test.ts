// Covers: the controller side of the dashboard's action rules — for each
// situation of test/helpers/dashboard-situations.ts, planFlip (to the
// standby) and planRollback accept exactly when the table says the admin API
// does, and the dashboard's copy of INITIAL_EPOCH is the routing state's.
// test/dashboard/status-rules.test.ts checks the dashboard's rules
// (worker/dashboard/status-rules.ts, the module its bundle is built from)
// against the same table, so the two cannot drift apart unnoticed.
import { describe, expect, it } from "vitest";
import type { RoutingState } from "../../../contract/routing.js";
import type { ProbeResult } from "../../../worker/src/controller/rpc-schemas.js";
import { planFlip, planRollback } from "../../../worker/src/controller/transitions.js";
import { INITIAL_EPOCH as DASHBOARD_INITIAL_EPOCH } from "../../../worker/dashboard/status-rules.js";
import { INITIAL_EPOCH } from "../../../worker/src/routing-state.js";
import { SITUATIONS, type Health, type StatusView } from "../../helpers/dashboard-situations.js";

function probe(health: Health, error: string | null): ProbeResult | null {
  if (health === "unknown") return null;
  return { ok: health === "healthy", at: 0, ...(error === null ? {} : { error }) };
}

/** The controller's view of a status: routing state and last probes. */
function controllerView(s: StatusView) {
  const state: RoutingState = {
    active: s.active,
    epoch: s.epoch,
    phase: s.phase,
    updatedAt: 0,
    reason: "test",
    health: { blue: s.colors.blue.health.status, green: s.colors.green.health.status },
  };
  const probes = {
    blue: probe(s.colors.blue.health.status, s.colors.blue.health.error),
    green: probe(s.colors.green.health.status, s.colors.green.health.error),
  };
  return { state, probes };
}

describe("the admin API's acceptance in each dashboard situation", () => {
  it("the dashboard knows the first epoch", () => {
    expect(DASHBOARD_INITIAL_EPOCH).toBe(INITIAL_EPOCH);
  });

  it.each(SITUATIONS)("%s", (_name, s, flipAccepted, rollbackAccepted) => {
    const { state, probes } = controllerView(s);
    expect(planFlip(state, { to: s.standby, actor: "dashboard" }, probes, 1_000, 60).ok).toBe(flipAccepted);
    expect(planRollback(state, { actor: "dashboard" }, probes, 1_000).ok).toBe(rollbackAccepted);
  });
});
