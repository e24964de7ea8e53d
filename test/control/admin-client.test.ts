// Covers the parsing half of control/src/admin-client.ts: a status as the
// router answers it parses with the contract's schema (contract/status.ts),
// and the shapes an older, lenient client accepted — unknown fields, colours
// at the top level, one metrics window, health as a string, history as a
// bare array or under `history` — are refused; colorView takes each colour's
// fast window; bakeSecondsLeft counts down to bake.endsAt. And how status
// and watch show label shares and drift (control/src/output/status-view.ts):
// top shares, the drift verdict beside the baseline's and the active
// colour's shares, a baseline too small to measure by says so.
import { describe, expect, it } from "vitest";
import { HistoryAnswer } from "../../contract/history.js";
import { AdminStatus } from "../../contract/status.js";
import { bakeSecondsLeft, colorView } from "../../control/src/admin-client.js";
import { statusPairs } from "../../control/src/commands/status.js";
import { colorSummary, driftPairs, liveBlock, topShares } from "../../control/src/output/status-view.js";
import { Printer } from "../../control/src/output/printer.js";

const LATENCY = new Array<number>(19).fill(0);
const window = (color: "blue" | "green", seconds: number, requests: number, http5xx: number, counted = seconds) => ({
  color, seconds, fromSecond: 1_767_225_600 - counted + 1, toSecond: 1_767_225_600, requests, errors: { total: http5xx, http5xx, timeout: 0, connect: 0 },
  errorRate: requests ? http5xx / requests : null, p50Ms: requests ? 10 : null, p99Ms: requests ? 75 : null, latency: LATENCY,
});
const mix = (predictions: number, neutral: number) => ({
  predictions,
  labels: predictions === 0 ? [] : [{ label: "neutral", count: neutral, share: neutral / predictions }, { label: "positive", count: predictions - neutral, share: (predictions - neutral) / predictions }],
  other: 0, unparseable: 0, confidence: new Array<number>(10).fill(0),
});
const health = (status: "healthy" | "unknown", version: string | null) => ({ status, checkedAt: "2026-01-01T00:00:00.000Z", latencyMs: 3, version, digest: version && "sha256:ab", error: null, origins: [] });
const entry = { at: "2026-01-01T00:00:00.000Z", from: "blue", to: "green", epoch: 4, kind: "manual", action: "flip", reason: "r", actor: "me", metrics: { color: "blue", verdict: "healthy" } };

/** A status as the router answers it. */
const routerStatus = {
  deployment: "default",
  active: "green",
  standby: "blue",
  epoch: 4,
  phase: "baking",
  updatedAt: "2026-01-01T00:00:00.000Z",
  reason: "rollout of green",
  bake: { startedAt: "2026-01-01T00:00:00.000Z", endsAt: "2026-01-01T00:02:00.000Z", remainingSeconds: 120 },
  colors: {
    blue: { role: "standby", origins: [{ url: "http://127.0.0.1:8001", coolingDown: false }], health: health("healthy", "v1"), version: "v1", metrics: { fast: window("blue", 10, 0, 0), slow: window("blue", 60, 50, 0, 40) }, predictions: { fast: mix(0, 0), slow: mix(50, 25) } },
    green: { role: "active", origins: [{ url: "http://127.0.0.1:8002", coolingDown: false }], health: health("unknown", null), version: null, metrics: { fast: window("green", 10, 200, 2), slow: window("green", 60, 400, 2) }, predictions: { fast: mix(198, 90), slow: mix(398, 180) } },
  },
  policy: {
    fastWindowSeconds: 10, slowWindowSeconds: 60, minRequests: 20, maxErrorRate: 0.05, maxP99Ms: null, guardStable: false, bakeSeconds: 120, healthIntervalSeconds: 10,
    driftGuard: true, driftPValue: 0.000001, maxLabelShift: 0.1, baselineMinutes: 10, minBaselinePredictions: 200,
    alertsConfigured: false, failover: "standby", originTimeoutMs: 30_000, flagTtlMs: 1_000, reportIntervalMs: 1_000, maxTextChars: 10_000, labelTelemetry: "on",
  },
  verdict: { at: "2026-01-01T00:00:00.000Z", color: "green", phase: "baking", epoch: 4, verdict: "healthy", action: "none", window: null, reason: "fast window (10s): 2/200 errors …" },
  drift: {
    color: "green",
    verdict: "healthy",
    reason: "drift: fast window (10s): 198 predictions, …",
    baseline: {
      color: "blue", epoch: 4, frozenAt: "2026-01-01T00:00:00.000Z", minutes: 10, from: "2025-12-31T23:51:00.000Z", to: "2026-01-01T00:00:00.000Z",
      mix: mix(3000, 1400), enough: true, minimum: 200,
    },
    fast: { window: "fast", verdict: "healthy", predictions: 198, tvd: 0.012, tvdLowerBound: 0, pValue: 0.8, label: "neutral", share: 0.4545, baselineShare: 0.4667, reason: "fast window (10s): …" },
    slow: { window: "slow", verdict: "healthy", predictions: 398, tvd: 0.014, tvdLowerBound: 0, pValue: 0.6, label: "neutral", share: 0.4523, baselineShare: 0.4667, reason: "slow window (60s): …" },
  },
  autoRollbackArmed: true,
  alerts: { pending: 0, oldestAt: null, lastError: null },
  lastFlip: entry,
  kvCurrent: true,
  nextAlarmAt: "2026-01-01T00:00:10.000Z",
};

describe("AdminStatus, strictly", () => {
  it("parses the router's status", () => {
    expect(AdminStatus.parse(routerStatus)).toEqual(routerStatus);
  });

  it.each([
    ["an unknown field", { ...routerStatus, somethingNew: { anything: true } }],
    ["colours at the top level instead of under colors", { ...routerStatus, colors: undefined, blue: routerStatus.colors.blue }],
    ["one metrics window instead of fast and slow", { ...routerStatus, colors: { ...routerStatus.colors, blue: { ...routerStatus.colors.blue, metrics: window("blue", 10, 0, 0) } } }],
    ["health as a string", { ...routerStatus, colors: { ...routerStatus.colors, blue: { ...routerStatus.colors.blue, health: "healthy" } } }],
    ["a missing field", { ...routerStatus, kvCurrent: undefined }],
    ["no routing state at all", { hello: "world" }],
  ])("refuses %s", (_what, answer) => {
    expect(AdminStatus.safeParse(answer).success).toBe(false);
  });

  it("takes history only as {entries}", () => {
    expect(HistoryAnswer.parse({ entries: [entry] }).entries).toEqual([entry]);
    for (const lenient of [[entry], { history: [entry] }, { entries: [{ ...entry, at: 5 }] }]) expect(HistoryAnswer.safeParse(lenient).success).toBe(false);
  });
});

describe("colorView", () => {
  const s = AdminStatus.parse(routerStatus);

  it("takes the fast window's numbers for each colour", () => {
    expect(colorView(s, "green")).toEqual({
      color: "green", active: true, origins: ["http://127.0.0.1:8002"], health: "unknown", version: null,
      requests: 200, errorRate: 0.01, p50Ms: 10, p99Ms: 75, windowSeconds: 10,
    });
    expect(colorView(s, "blue")).toMatchObject({ active: false, health: "healthy", version: "v1", requests: 0, errorRate: null });
  });

  it("gives the seconds a window actually counted: fewer than its length right after a flip", () => {
    const cut = AdminStatus.parse({
      ...routerStatus,
      colors: { ...routerStatus.colors, green: { ...routerStatus.colors.green, metrics: { fast: window("green", 10, 60, 0, 3), slow: window("green", 60, 60, 0, 3) } } },
    });
    expect(colorView(cut, "green")).toMatchObject({ requests: 60, windowSeconds: 3 });
  });
});

describe("bakeSecondsLeft", () => {
  const s = AdminStatus.parse(routerStatus);
  it("counts down to bake.endsAt", () => {
    expect(bakeSecondsLeft(s, Date.parse("2026-01-01T00:01:30.000Z"))).toBe(30);
    expect(bakeSecondsLeft(s, Date.parse("2026-01-01T00:03:00.000Z"))).toBe(0);
  });
  it("is null when not baking", () => {
    expect(bakeSecondsLeft(AdminStatus.parse({ ...routerStatus, phase: "stable", bake: null }), Date.now())).toBeNull();
  });
});

describe("label shares and drift, as status and watch show them", () => {
  const status = AdminStatus.parse(routerStatus);

  it("topShares: largest first, rounded, … past `top`; other and unparseable rank like labels", () => {
    expect(topShares(status.drift.baseline!.mix)).toBe("positive 53%, neutral 47%");
    const m = { ...mix(100, 50), other: 30, unparseable: 0 };
    m.predictions = 130;
    expect(topShares(m, 2)).toBe("neutral 38%, positive 38%, …");
    expect(topShares(m, 3)).toBe("neutral 38%, positive 38%, (other) 23%");
    expect(topShares(mix(0, 0))).toBe("–");
  });

  it("driftPairs: the verdict and why, the baseline's shares, the active colour's", () => {
    expect(driftPairs(status)).toEqual([
      ["drift", "healthy: drift: fast window (10s): 198 predictions, …"],
      ["baseline", "blue's last 10 min at epoch 4, 3,000 predictions: positive 53%, neutral 47%"],
      ["green labels", "positive 55%, neutral 45% (398 predictions, last 60 s)"],
    ]);
    expect(statusPairs(status, Date.parse("2026-01-01T00:00:30Z")).map(([k]) => k)).toContain("baseline");
  });

  it("a baseline under MIN_BASELINE_PREDICTIONS says drift is not measured", () => {
    const small = AdminStatus.parse({ ...routerStatus, drift: { ...routerStatus.drift, verdict: "inconclusive", baseline: { ...routerStatus.drift.baseline, mix: mix(120, 60), enough: false }, fast: null, slow: null } });
    expect(driftPairs(small)[1]![1]).toMatch(/120 predictions: .* — fewer than MIN_BASELINE_PREDICTIONS \(200\): drift not measured$/);
    expect(driftPairs(small)[0]![0]).toBe("drift");
  });

  it("watch's line ends each colour with its top label; its block names the drift verdict and the baseline", () => {
    expect(colorSummary(colorView(status, "green"), status.colors.green.predictions.slow)).toMatch(/ positive 55%$/);
    const block = liveBlock(new Printer({ json: false, stdout: process.stdout, stderr: process.stderr, secrets: [], env: { NO_COLOR: "1" } }), status, Date.parse("2026-01-01T00:00:30Z"), "t");
    expect(block.at(-1)).toBe("drift healthy · baseline blue: positive 53%, neutral 47%");
    expect(block.join("\n")).toMatch(/top labels \(slow window\)/);
  });
});
