// Covers worker/src/controller/drift-rule.ts, one case per rule: not judged
// with DRIFT_GUARD=off or outside a bake; "could not measure" (never failed)
// without a baseline for this bake, with a baseline under
// MIN_BASELINE_PREDICTIONS or with a window under MIN_REQUESTS; failed only
// when proven (p < DRIFT_P_VALUE) and large (the TVD's 99.9% lower bound ≥
// MAX_LABEL_SHIFT) — the reason in the words —, healthy when proven
// but small (a legitimate release), large but not proven (a few
// predictions) or large but with too wide a bound; unparseable answers and
// labels past the cap are categories of their own; the slow window judged,
// the fast one only shown. And assessRollout with drift: a
// drift failure rolls back like any other, a drift that could not measure
// never blocks a healthy verdict.
import { describe, expect, it } from "vitest";
import { countLabel, emptyLabelCounts, type LabelCounts } from "../../../contract/labels.js";
import { DEFAULT_POLICY, type RolloutPolicy } from "../../../contract/policy.js";
import type { Baseline } from "../../../worker/src/controller/baseline.js";
import { assessDrift, DRIFT_TVD_Z, labelShift, pText, type DriftInput } from "../../../worker/src/controller/drift-rule.js";
import { assessRollout } from "../../../worker/src/controller/rollback-policy.js";
import { rolloutInput } from "./builders.js";

/** Label counts: `n` predictions of each label given, plus other/unparseable. */
function mix(labels: Record<string, number>, extra: { other?: number; unparseable?: number } = {}): LabelCounts {
  const c = emptyLabelCounts();
  c.labels = Object.entries(labels).map(([l, n]) => [l, n]);
  c.other = extra.other ?? 0;
  c.unparseable = extra.unparseable ?? 0;
  return c;
}

/** The golden set's shares (v1: 81 positive / 48 negative / 112 neutral; v2: 83 / 60 / 98) scaled to `n` predictions. */
function golden(version: "v1" | "v2", n: number): LabelCounts {
  const [p, ng, nu] = version === "v1" ? [81, 48, 112] : [83, 60, 98];
  const scale = n / 241;
  return mix({ positive: Math.round(p * scale), negative: Math.round(ng * scale), neutral: Math.round(nu * scale) });
}

function baseline(counts: LabelCounts, epoch = 2): Baseline {
  return { version: 1, epoch, color: "blue", frozenAt: 1_700_000_000_000, minutes: 10, fromMinute: 28_333_324, toMinute: 28_333_333, counts };
}

const SECONDS = { fast: 10, slow: 60 };

function input(overrides: Partial<Omit<DriftInput, "policy">> & { policy?: Partial<RolloutPolicy> } = {}): DriftInput {
  return {
    phase: "baking",
    epoch: 2,
    baseline: baseline(golden("v1", 6000)),
    windows: { fast: golden("v1", 500), slow: golden("v1", 3000) },
    ...overrides,
    policy: { ...DEFAULT_POLICY, ...overrides.policy },
  };
}

/** 60% of v2's answers turned neutral (the constant:neutral drill). */
const sixtyPercentNeutral = (n: number) => {
  const v2 = golden("v2", n);
  const neutral = Math.round(0.6 * n + 0.4 * (v2.labels[2]![1]));
  const rest = n - neutral;
  const positive = Math.round((rest * 83) / 143);
  return mix({ positive, negative: rest - positive, neutral });
};

describe("not judged", () => {
  it("with DRIFT_GUARD=off, whatever the labels", () => {
    const a = assessDrift(input({ policy: { driftGuard: false }, windows: { fast: mix({ neutral: 500 }), slow: mix({ neutral: 3000 }) } }), SECONDS);
    expect(a).toMatchObject({ verdict: "not_judged", measurements: null, reason: "drift: not judged (DRIFT_GUARD=off)" });
  });

  it("outside a bake (stable, rolled back): only a bake is compared with the colour it replaced", () => {
    for (const phase of ["stable", "rolled_back"] as const) {
      const a = assessDrift(input({ phase, windows: { fast: mix({ neutral: 500 }), slow: mix({ neutral: 3000 }) } }), SECONDS);
      expect(a.verdict).toBe("not_judged");
      expect(a.reason).toContain(`phase ${phase}`);
    }
  });
});

describe("could not measure: inconclusive, never failed", () => {
  const collapsed = { fast: mix({ neutral: 500 }), slow: mix({ neutral: 3000 }) };

  it("no baseline was frozen at this flip", () => {
    expect(assessDrift(input({ baseline: null, windows: collapsed }), SECONDS)).toMatchObject({
      verdict: "inconclusive",
      reason: "drift: could not measure, no baseline was frozen at this flip",
    });
  });

  it("the baseline belongs to another flip (another epoch)", () => {
    expect(assessDrift(input({ baseline: baseline(golden("v1", 6000), 1), windows: collapsed }), SECONDS).verdict).toBe("inconclusive");
  });

  it("the baseline holds fewer than MIN_BASELINE_PREDICTIONS, and the reason says so", () => {
    const a = assessDrift(input({ baseline: baseline(golden("v1", 120)), windows: collapsed }), SECONDS);
    expect(a).toMatchObject({ verdict: "inconclusive", baselinePredictions: 120, measurements: null });
    expect(a.reason).toBe(
      "drift: could not measure, the baseline holds 120 predictions of blue over its last 10 min, fewer than MIN_BASELINE_PREDICTIONS (200); this bake is judged on errors and latency only",
    );
  });

  it("every window holds fewer than MIN_REQUESTS predictions", () => {
    const a = assessDrift(input({ windows: { fast: mix({ neutral: 19 }), slow: mix({ neutral: 19 }) } }), SECONDS);
    expect(a.verdict).toBe("inconclusive");
    expect(a.measurements!.fast.reason).toBe("fast window (10s): could not measure, 19 < 20 predictions");
  });
});

describe("failed only when proven and large", () => {
  it("60% constant neutral: proven and large, in the issue's words", () => {
    const a = assessDrift(input({ windows: { fast: sixtyPercentNeutral(500), slow: sixtyPercentNeutral(500) } }), SECONDS);
    expect(a.verdict).toBe("failed");
    expect(a.window).toBe("slow");
    expect(a.reason).toMatch(/^prediction drift: neutral 76% vs 46% baseline, TVD 0\.30 \(at least 0\.2\d\) ≥ 0\.09, p < 1e-12 \(slow window \(60s\): 500 predictions\)$/);
  });

  it("a swap of positive and negative (TVD 0.14) in 300 predictions: proven, but its lower bound is under MAX_LABEL_SHIFT: healthy", () => {
    const swapped = (n: number) => {
      const v2 = golden("v2", n);
      const [pos, neg, neu] = v2.labels.map(([, c]) => c);
      return mix({ positive: neg!, negative: pos!, neutral: neu! });
    };
    const early = assessDrift(input({ windows: { fast: swapped(300), slow: swapped(300) } }), SECONDS).measurements!.slow;
    expect(early.tvd!).toBeGreaterThan(0.14);
    expect(early.pValue!).toBeLessThan(DEFAULT_POLICY.driftPValue);
    expect(early.tvdLowerBound!).toBeLessThan(DEFAULT_POLICY.maxLabelShift);
    expect(early.reason).toMatch(/proven but small$/);
    // …and with 2,000 predictions the bound is past it.
    expect(assessDrift(input({ windows: { fast: swapped(500), slow: swapped(2000) } }), SECONDS).verdict).toBe("failed");
  });

  it("a legitimate release (v1 → v2, TVD 0.058): proven at 3,000 predictions, but small: healthy", () => {
    const a = assessDrift(input({ windows: { fast: golden("v2", 500), slow: golden("v2", 3000) } }), SECONDS);
    expect(a.verdict).toBe("healthy");
    const slow = a.measurements!.slow;
    expect(slow.pValue!).toBeLessThan(DEFAULT_POLICY.driftPValue);
    expect(slow.tvd!).toBeCloseTo(0.058, 2);
    expect(slow.reason).toMatch(/proven but small$/);
  });

  it("a large shift in a few predictions: not proven, healthy", () => {
    const a = assessDrift(input({ windows: { fast: mix({ neutral: 16, positive: 4 }), slow: mix({ neutral: 16, positive: 4 }) } }), SECONDS);
    const slow = a.measurements!.slow;
    expect(slow.tvd!).toBeGreaterThan(0.3);
    expect(slow.verdict).toBe("healthy");
    expect(slow.reason).toMatch(/not proven \(p ≥ 1\.0e-6\)$/);
  });

  it("unparseable answers are a category: half of them unparseable fails", () => {
    const half = (n: number) => {
      const c = golden("v1", n / 2);
      c.unparseable = n / 2;
      return c;
    };
    const a = assessDrift(input({ windows: { fast: half(400), slow: half(400) } }), SECONDS);
    expect(a.verdict).toBe("failed");
    expect(a.reason).toMatch(/^prediction drift: \(unparseable\) 50% vs 0% baseline, TVD 0\.50/);
  });

  it("labels past the cap (other) are a category: a model answering new labels fails", () => {
    const a = assessDrift(input({ windows: { fast: mix({ neutral: 100 }, { other: 400 }), slow: mix({ neutral: 100 }, { other: 400 }) } }), SECONDS);
    expect(a.verdict).toBe("failed");
    expect(a.reason).toContain("(other) 80% vs 0% baseline");
  });

  it("the slow window fails while the fast one holds too few predictions", () => {
    const a = assessDrift(input({ windows: { fast: golden("v1", 19), slow: sixtyPercentNeutral(3000) } }), SECONDS);
    expect(a).toMatchObject({ verdict: "failed", window: "slow" });
    expect(a.measurements!.fast.verdict).toBe("inconclusive");
  });

  it("the fast window is shown, never failed on: a drifting fast window beside a healthy slow one is healthy", () => {
    const a = assessDrift(input({ windows: { fast: sixtyPercentNeutral(500), slow: golden("v1", 3000) } }), SECONDS);
    expect(a).toMatchObject({ verdict: "healthy", window: null });
    expect(a.measurements!.fast).toMatchObject({ verdict: "inconclusive" });
    expect(a.measurements!.fast.reason).toMatch(/shown only, drift is judged on the slow window$/);
  });
});

describe("the figures", () => {
  it("TVD is half the summed share differences; the shift is the category that moved most", () => {
    const { tvd, tvdLowerBound, shift } = labelShift(mix({ a: 70, b: 30 }), mix({ a: 40, b: 40, c: 20 }));
    expect(tvd).toBeCloseTo(0.3, 10);
    expect(shift).toEqual({ label: "a", share: 0.7, baselineShare: 0.4 });
    // A = {a}: P(A) = 0.7 of 100, Q(A) = 0.4 of 100.
    expect(tvdLowerBound).toBeCloseTo(0.3 - DRIFT_TVD_Z * Math.sqrt((0.7 * 0.3) / 100 + (0.4 * 0.6) / 100), 10);
  });

  it("p-values read as p < 1e-12 or with two digits", () => {
    expect([1e-15, 3.21e-8, 0.0421, 0.5].map(pText)).toEqual(["p < 1e-12", "p = 3.2e-8", "p = 0.042", "p = 0.500"]);
  });

  it("counts a label past the cap as other (the rule sees what the counting kept)", () => {
    const c = emptyLabelCounts();
    for (let i = 0; i < 40; i++) countLabel(c, `l${i}`);
    expect(c.other).toBe(8);
  });
});

describe("assessRollout with drift", () => {
  const drifting = { epoch: 2, baseline: baseline(golden("v1", 6000)), labels: { fast: sixtyPercentNeutral(500), slow: sixtyPercentNeutral(3000) } };

  it("a drift failure fails healthy error windows and rolls back, its reason first", () => {
    const a = assessRollout(rolloutInput({ drift: drifting }));
    expect(a).toMatchObject({ verdict: "failed", action: "rollback", rollbackTo: "blue", window: "slow" });
    expect(a.reason).toMatch(/^prediction drift: neutral 76% vs 46% baseline, .*; rolling back to blue$/);
  });

  it("a drift failure after an automatic rollback already happened: failed, no action", () => {
    const a = assessRollout(rolloutInput({ drift: drifting, autoRollbackArmed: false }));
    expect(a).toMatchObject({ verdict: "failed", action: "none" });
  });

  it("a drift that could not measure does not stop a healthy verdict (the bake may pass on errors and latency)", () => {
    const a = assessRollout(rolloutInput({ drift: { ...drifting, baseline: baseline(golden("v1", 50)) } }));
    expect(a).toMatchObject({ verdict: "healthy", action: "none" });
    expect(a.drift.verdict).toBe("inconclusive");
  });

  it("drift is not judged in stable, even with GUARD_STABLE", () => {
    const a = assessRollout(rolloutInput({ phase: "stable", policy: { ...DEFAULT_POLICY, guardStable: true }, drift: drifting }));
    expect(a.verdict).toBe("healthy");
    expect(a.drift.verdict).toBe("not_judged");
  });
});
