// Covers worker/src/controller/tick.ts, one rule per row: what one
// evaluation of the active colour decides (planTick: nothing while a policy
// var is bad; an automatic rollback with its alert and disarming; a failed
// verdict the rule or the transition does not act on; the bake's end only
// after its deadline and only when measured healthy), what a probe changes
// (planProbe: health, and the standby-unhealthy alert once per transition),
// and the alarm's schedule (nextAlarmAt, alarmAfterFlip).
import { describe, expect, it } from "vitest";
import { emptyLabelCounts } from "../../../contract/labels.js";
import { DEFAULT_POLICY } from "../../../contract/policy.js";
import type { RoutingState } from "../../../contract/routing.js";
import type { ColorWindows } from "../../../worker/src/controller/evaluation.js";
import type { ProbeResult } from "../../../worker/src/controller/rpc-schemas.js";
import { alarmAfterFlip, nextAlarmAt, planProbe, planTick, type TickInput, type TickPlan } from "../../../worker/src/controller/tick.js";
import { metrics } from "./builders.js";

const T0 = 1_700_000_000_000;
const BAKE_END = T0 + 60_000;

const bakingGreen: RoutingState = {
  active: "green",
  epoch: 2,
  phase: "baking",
  updatedAt: T0 - 60_000,
  reason: "flip to green",
  health: { blue: "healthy", green: "healthy" },
};

const ok = (version: string): ProbeResult => ({ ok: true, at: T0 - 1_000, version });
const down: ProbeResult = { ok: false, at: T0 - 1_000, error: "HTTP 503: draining" };

function windows(spec: { requests: number; errors?: number }, slow = { requests: spec.requests * 6, errors: (spec.errors ?? 0) * 6 }): ColorWindows {
  return {
    fast: metrics({ requests: spec.requests, errors: spec.errors ?? 0, seconds: 10 }),
    slow: metrics({ requests: slow.requests, errors: slow.errors, seconds: 60 }),
    recent: [],
    labels: { fast: emptyLabelCounts(), slow: emptyLabelCounts() },
  };
}
const healthy = windows({ requests: 500 });
const failing = windows({ requests: 500, errors: 150 });
const quiet = windows({ requests: 5 }, { requests: 10, errors: 0 });

/** Green baking with healthy windows, blue healthy, automatic rollback armed, before the bake's end. */
function input(overrides: Partial<TickInput> = {}): TickInput {
  return {
    deployment: "prod",
    nowMs: T0,
    state: bakingGreen,
    bake: { startedAt: T0 - 60_000, endsAt: BAKE_END },
    probes: { blue: ok("v1"), green: ok("v2") },
    windows: healthy,
    policy: { policy: DEFAULT_POLICY, issues: [] },
    autoRollbackArmed: true,
    baseline: null,
    ...overrides,
  };
}

/** A plan in a line: the verdict, the change, the alert kinds and the log levels. */
function summary(plan: TickPlan) {
  return {
    verdict: plan.verdict === null ? null : `${plan.verdict.verdict}/${plan.verdict.action}`,
    change: plan.change?.kind ?? null,
    alerts: plan.alerts.map((a) => a.kind),
    log: plan.log.map((l) => l.level),
  };
}

describe("planTick", () => {
  const rows: Array<{ rule: string; input: TickInput; expected: ReturnType<typeof summary> }> = [
    {
      rule: "a bad policy var: nothing is judged, nothing changes",
      input: input({ windows: failing, policy: { policy: DEFAULT_POLICY, issues: ["MAX_ERROR_RATE: must be below 1"] } }),
      expected: { verdict: null, change: null, alerts: [], log: [] },
    },
    {
      rule: "baking and healthy before the bake's end: nothing changes",
      input: input(),
      expected: { verdict: "healthy/none", change: null, alerts: [], log: [] },
    },
    {
      rule: "baking and failing, armed, the standby healthy: automatic rollback, alerted",
      input: input({ windows: failing }),
      expected: { verdict: "failed/rollback", change: "auto_rollback", alerts: ["auto_rollback"], log: [] },
    },
    {
      rule: "failing but disarmed (one automatic rollback already happened): judged, not acted on",
      input: input({ windows: failing, autoRollbackArmed: false }),
      expected: { verdict: "failed/none", change: null, alerts: [], log: [] },
    },
    {
      rule: "failing but the standby's health is unhealthy: judged, not acted on",
      input: input({ windows: failing, state: { ...bakingGreen, health: { blue: "unhealthy", green: "healthy" } } }),
      expected: { verdict: "failed/none", change: null, alerts: [], log: [] },
    },
    {
      rule: "failing in phase stable with GUARD_STABLE off: judged, not acted on",
      input: input({ windows: failing, state: { ...bakingGreen, phase: "stable" }, bake: null }),
      expected: { verdict: "failed/none", change: null, alerts: [], log: [] },
    },
    {
      rule: "the rule rolls back but the transition refuses (the standby's last probe failed): logged as an error",
      input: input({ windows: failing, probes: { blue: down, green: ok("v2") } }),
      expected: { verdict: "failed/rollback", change: null, alerts: [], log: ["error"] },
    },
    {
      rule: "baking, healthy, the bake's end reached: the bake passes, alerted and logged",
      input: input({ nowMs: BAKE_END }),
      expected: { verdict: "healthy/none", change: "bake_passed", alerts: ["bake_passed"], log: ["info"] },
    },
    {
      rule: "the bake's end reached with too little traffic to measure: the bake holds",
      input: input({ nowMs: BAKE_END, windows: quiet }),
      expected: { verdict: "inconclusive/none", change: null, alerts: [], log: [] },
    },
    {
      rule: "the bake's end reached while failing and disarmed: the bake holds",
      input: input({ nowMs: BAKE_END, windows: failing, autoRollbackArmed: false }),
      expected: { verdict: "failed/none", change: null, alerts: [], log: [] },
    },
    {
      rule: "phase baking but no bake stored: nothing ends",
      input: input({ nowMs: BAKE_END + 1, bake: null }),
      expected: { verdict: "healthy/none", change: null, alerts: [], log: [] },
    },
    {
      rule: "stable and healthy: nothing changes",
      input: input({ state: { ...bakingGreen, phase: "stable" }, bake: null }),
      expected: { verdict: "healthy/none", change: null, alerts: [], log: [] },
    },
  ];

  it.each(rows)("$rule", ({ input, expected }) => {
    expect(summary(planTick(input))).toEqual(expected);
  });

  it("an automatic rollback: back to the standby at the next epoch, by the controller, with the window figures; disarms", () => {
    const plan = planTick(input({ windows: failing }));
    expect(plan.change?.kind).toBe("auto_rollback");
    if (plan.change?.kind !== "auto_rollback") return;
    const { transition } = plan.change;
    expect(transition.state).toMatchObject({ active: "blue", epoch: 3, phase: "rolled_back", updatedAt: T0 });
    expect(transition.entry).toMatchObject({ from: "green", to: "blue", epoch: 3, kind: "auto", action: "rollback", actor: "controller" });
    expect(transition.entry.reason).toMatch(/^fast window \(10s\): 150\/500 errors.*rolling back to blue$/);
    expect(transition.entry.metrics).toMatchObject({ color: "green", verdict: "failed", window: "fast", fastRequests: 500, fastErrors: 150 });
    expect(transition.bake).toBeNull();
    expect(transition.autoRollbackArmed).toBe(false);
    expect(plan.alerts[0]!.text).toBe(`[bluegreen prod] automatic rollback green → blue (epoch 3): ${transition.entry.reason}`);
    expect(plan.verdict).toMatchObject({ at: T0, color: "green", phase: "baking", epoch: 2, verdict: "failed", action: "rollback", window: "fast" });
  });

  it("a refused automatic rollback names the refusal in its log line", () => {
    const plan = planTick(input({ windows: failing, probes: { blue: down, green: ok("v2") } }));
    expect(plan.log[0]!.message).toMatch(/^automatic rollback refused \(target_unhealthy\): blue's last health probe failed/);
  });

  it("a passed bake: phase stable at the same epoch and colour; the alert names the version and the fast window", () => {
    const plan = planTick(input({ nowMs: BAKE_END }));
    expect(plan.change).toEqual({
      kind: "bake_passed",
      state: { ...bakingGreen, phase: "stable", updatedAt: BAKE_END, reason: "bake passed: measured healthy at the end of the bake" },
    });
    expect(plan.alerts[0]!.text).toBe(
      "[bluegreen prod] green passed the bake and is stable (epoch 2, v2); fast window: 500 requests, 0.0% errors, p99 20 ms.",
    );
    expect(plan.log[0]!.message).toBe("green passed the bake (epoch 2)");
  });
});

describe("planProbe", () => {
  const stableBlue: RoutingState = { ...bakingGreen, active: "blue", phase: "stable" };
  const probeInput = (state: RoutingState, color: "blue" | "green", probe: ProbeResult) => planProbe({ deployment: "prod", nowMs: T0, state, color, probe });

  it.each([
    { rule: "the standby turns unhealthy: its health changes, alerted", state: stableBlue, color: "green", probe: down, health: "unhealthy", alerts: ["standby_unhealthy"] },
    { rule: "the standby's health was unknown and a probe fails: alerted", state: { ...stableBlue, health: { blue: "healthy", green: "unknown" } }, color: "green", probe: down, health: "unhealthy", alerts: ["standby_unhealthy"] },
    { rule: "the active colour turns unhealthy: its health changes, no standby alert", state: stableBlue, color: "blue", probe: down, health: "unhealthy", alerts: [] },
    { rule: "the standby turns healthy again: its health changes, no alert", state: { ...stableBlue, health: { blue: "healthy", green: "unhealthy" } }, color: "green", probe: ok("v2"), health: "healthy", alerts: [] },
  ] as const)("$rule", ({ state, color, probe, health, alerts }) => {
    const plan = probeInput(state, color, probe);
    expect(plan.state?.health[color]).toBe(health);
    expect(plan.state?.updatedAt).toBe(Math.max(T0, state.updatedAt + 1));
    expect(plan.alerts.map((a) => a.kind)).toEqual(alerts);
  });

  it("a probe that does not change the colour's health changes nothing and is not alerted again", () => {
    const unhealthyStandby: RoutingState = { ...stableBlue, health: { blue: "healthy", green: "unhealthy" } };
    expect(probeInput(unhealthyStandby, "green", down)).toEqual({ state: null, alerts: [] });
    expect(probeInput(stableBlue, "blue", ok("v1"))).toEqual({ state: null, alerts: [] });
  });

  it("the standby-unhealthy alert names the colour and the probe's error", () => {
    expect(probeInput(stableBlue, "green", down).alerts[0]!.text).toBe(
      "[bluegreen prod] standby green is unhealthy: HTTP 503: draining. Failover to green is off and flips to it are refused until a probe passes.",
    );
  });

  it("updatedAt moves forward even when the clock is behind the state", () => {
    const ahead: RoutingState = { ...stableBlue, updatedAt: T0 + 5_000 };
    expect(probeInput(ahead, "green", down).state?.updatedAt).toBe(T0 + 5_001);
  });
});

describe("the alarm's schedule", () => {
  const INTERVAL = 10_000;
  it.each([
    { rule: "no bake: one interval after the run", bake: null, expected: T0 + INTERVAL },
    { rule: "the bake ends before the next probe: at the bake's end", bake: { startedAt: T0 - 1, endsAt: T0 + 4_000 }, expected: T0 + 4_000 },
    { rule: "the bake ends after the next probe: at the next probe", bake: { startedAt: T0 - 1, endsAt: T0 + 60_000 }, expected: T0 + INTERVAL },
    { rule: "the bake's end has passed (held): at the next probe", bake: { startedAt: T0 - 9_000, endsAt: T0 }, expected: T0 + INTERVAL },
  ])("nextAlarmAt — $rule", ({ bake, expected }) => {
    expect(nextAlarmAt(T0, INTERVAL, bake)).toBe(expected);
  });

  const bake = { startedAt: T0, endsAt: T0 + 120_000 };
  it.each([
    { rule: "the next probe is later than the bake's end: moved to the bake's end", scheduled: T0 + 3_600_000, expected: bake.endsAt },
    { rule: "no alarm is set: set at the bake's end", scheduled: null, expected: bake.endsAt },
    { rule: "the next probe comes first: left as it is", scheduled: T0 + 10_000, expected: null },
    { rule: "the alarm is at the bake's end already: left as it is", scheduled: bake.endsAt, expected: null },
  ])("alarmAfterFlip — $rule", ({ scheduled, expected }) => {
    expect(alarmAfterFlip(scheduled, bake)).toBe(expected);
  });

  it("alarmAfterFlip — no bake (a rollback): left as it is", () => {
    expect(alarmAfterFlip(T0 + 3_600_000, null)).toBeNull();
  });
});
