/**
 * The shadow gate (docs/rollback-policy.md "Shadow gate"), pure: whether a
 * shadowed standby's comparisons with the active colour allow a flip to it.
 * The rules, in the order they are checked:
 *
 * 1. failed when the standby's error rate is proven above MAX_ERROR_RATE
 *    (95% Wilson lower bound of 5xx, timeouts and connect errors over the
 *    mirrors sent);
 * 2. could not measure with fewer than MIN_SHADOW_COMPARISONS comparisons;
 * 3. failed when the agreement's Wilson lower bound is below MIN_SHADOW_AGREEMENT;
 * 4. failed when the standby's p99 is above MAX_SHADOW_P99_RATIO × the
 *    active's over the same requests (both floored at SHADOW_P99_FLOOR_MS);
 * 5. could not measure while the error rate's upper bound is above
 *    MAX_ERROR_RATE (not proven low enough);
 * 6. otherwise passed.
 */
import type { ShadowGateSettings, ShadowVerdictName } from "../../../contract/shadow.js";
import type { ShadowCounts } from "../../../contract/telemetry.js";
import { percentileMs } from "./histogram.js";
import { wilsonInterval } from "./wilson.js";

/** The gate's verdict with why, and the figures it read. */
export interface ShadowGateResult {
  verdict: ShadowVerdictName;
  reason: string;
  /** Which rule decided (1–6 above), for tests and logs. */
  rule: "errors_proven" | "too_few" | "agreement" | "p99" | "errors_unproven" | "passed";
  agreement: { rate: number | null; lower: number; upper: number };
  errorRate: { errors: number; sent: number; lower: number; upper: number };
  p99: { activeMs: number | null; standbyMs: number | null; ratio: number | null };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** Judges a shadowing's counts against the gate's settings. */
export function judgeShadow(counts: ShadowCounts, gate: ShadowGateSettings): ShadowGateResult {
  const errors = counts.errors.http5xx + counts.errors.timeout + counts.errors.connect;
  const e = wilsonInterval(errors, counts.sent);
  const a = wilsonInterval(counts.agreed, counts.compared);
  const activeP99 = percentileMs(counts.activeLatency, 0.99);
  const standbyP99 = percentileMs(counts.standbyLatency, 0.99);
  const ratio =
    activeP99 === null || standbyP99 === null ? null : Math.max(standbyP99, gate.p99FloorMs) / Math.max(activeP99, gate.p99FloorMs);
  const figures = {
    agreement: { rate: counts.compared === 0 ? null : counts.agreed / counts.compared, lower: a.lower, upper: a.upper },
    errorRate: { errors, sent: counts.sent, lower: e.lower, upper: e.upper },
    p99: { activeMs: activeP99, standbyMs: standbyP99, ratio },
  };
  const out = (verdict: ShadowVerdictName, rule: ShadowGateResult["rule"], reason: string): ShadowGateResult => ({ verdict, rule, reason, ...figures });

  if (counts.sent > 0 && e.lower > gate.maxErrorRate) {
    const by = `${counts.errors.http5xx} 5xx, ${counts.errors.timeout} timeouts, ${counts.errors.connect} connect errors`;
    return out("failed", "errors_proven", `the standby failed ${errors} of ${counts.sent} mirrored requests (${by}); error rate at least ${pct(e.lower)} > MAX_ERROR_RATE ${pct(gate.maxErrorRate)}`);
  }
  if (counts.compared < gate.minComparisons) {
    const why = counts.dropped > 0 ? ` (${counts.dropped} mirrors dropped over SHADOW_MAX_IN_FLIGHT)` : "";
    return out("could_not_measure", "too_few", `only ${counts.compared} of the ${gate.minComparisons} comparisons MIN_SHADOW_COMPARISONS asks for${why}`);
  }
  if (a.lower < gate.minAgreement) {
    return out("failed", "agreement", `the standby agreed with the active colour on ${counts.agreed} of ${counts.compared} predictions (${pct(counts.agreed / counts.compared)}, lower bound ${pct(a.lower)} < MIN_SHADOW_AGREEMENT ${pct(gate.minAgreement)})`);
  }
  if (ratio !== null && ratio > gate.maxP99Ratio) {
    return out("failed", "p99", `the standby's p99 ${standbyP99!.toFixed(1)} ms is ${ratio.toFixed(2)}× the active's ${activeP99!.toFixed(1)} ms over the same requests (MAX_SHADOW_P99_RATIO ${gate.maxP99Ratio})`);
  }
  if (e.upper > gate.maxErrorRate) {
    return out("could_not_measure", "errors_unproven", `the standby's error rate is not proven below MAX_ERROR_RATE ${pct(gate.maxErrorRate)}: ${errors} of ${counts.sent}, upper bound ${pct(e.upper)}`);
  }
  return out("passed", "passed", `agreement ${pct(counts.agreed / counts.compared)} (lower bound ${pct(a.lower)}) over ${counts.compared} predictions, ${errors} standby errors in ${counts.sent}, p99 ratio ${ratio === null ? "n/a" : ratio.toFixed(2)}`);
}
