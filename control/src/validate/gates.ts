/**
 * Pure gate decisions for `validate` (docs/cli.md): each `assess*` takes what
 * a step measured and the thresholds, and says passed / failed / error /
 * skipped with the observed value and the limit. "error" means the step could
 * not measure (kept apart from "failed", measured bad); neither passes.
 */
import { ORIGIN_CONTRACT_DOC, type OriginHealthBody } from "../../../contract/origin.js";
import * as fmt from "../output/format.js";
import type { HealthOutcome } from "./health.js";
import type { LoadStats } from "./load.js";
import type { QualityStats } from "./quality.js";
import type { SmokeOutcome } from "./smoke.js";

export const GATES = ["health", "smoke", "error-rate", "p99", "accuracy", "regression"] as const;
export type GateName = (typeof GATES)[number];
export type GateStatus = "passed" | "failed" | "error" | "skipped";

export interface GateResult {
  gate: GateName;
  status: GateStatus;
  /** What was measured, formatted for people ("29.80%"). */
  observed: string;
  /** The limit, formatted ("≤ 1.00%"). */
  threshold: string;
  /** Why it did not pass, or why it was skipped. */
  reason?: string;
}

export interface Thresholds {
  maxErrorRate: number;
  /** Absolute p99 limit; null: none (the default — the ratio to the serving colour is the latency gate). */
  maxP99Ms: number | null;
  /** Highest target p99 / baseline p99, both measured in the same interleaved run. */
  maxP99Ratio: number;
  minAccuracy: number;
  maxRegression: number;
  expectVersion?: string | undefined;
  expectDigest?: string | undefined;
}

/** Health: healthy, from the expected colour (via the router), and the expected version/digest when given. */
export function assessHealth(h: HealthOutcome, t: Thresholds, expectColor?: string | null): GateResult {
  const expected = [t.expectVersion && `version ${t.expectVersion}`, t.expectDigest && `digest ${fmt.shortDigest(t.expectDigest)}`]
    .filter(Boolean)
    .join(", ");
  const threshold = expected ? `healthy, ${expected}` : "healthy";
  if (!h.health) {
    return { gate: "health", status: "failed", observed: h.lastProblem ?? "not healthy", threshold, reason: `not healthy after ${h.attempts} attempts: ${h.lastProblem ?? "unknown"}` };
  }
  const { model_version: version, model_digest: digest } = h.health;
  const observed = healthFacts(h.health);
  if (expectColor && h.servedBy && h.servedBy !== expectColor) {
    return { gate: "health", status: "failed", observed: `${observed} from ${h.servedBy}`, threshold, reason: `the router answered from ${h.servedBy}, not ${expectColor}: it ignored the preview header` };
  }
  if (t.expectVersion && version === undefined) {
    return { gate: "health", status: "failed", observed, threshold, reason: `/health reports no model_version, so --expect-version cannot be checked (an optional field: ${ORIGIN_CONTRACT_DOC})` };
  }
  if (t.expectVersion && version !== t.expectVersion) {
    return { gate: "health", status: "failed", observed, threshold, reason: `serves version ${version}, expected ${t.expectVersion}` };
  }
  if (t.expectDigest && digest === undefined) {
    return { gate: "health", status: "failed", observed, threshold, reason: `/health reports no model_digest, so --expect-digest cannot be checked (an optional field: ${ORIGIN_CONTRACT_DOC})` };
  }
  if (t.expectDigest && !digestMatches(digest!, t.expectDigest)) {
    return { gate: "health", status: "failed", observed: `${observed} ${fmt.shortDigest(digest)}`, threshold, reason: `model digest ${digest} is not the expected ${t.expectDigest}` };
  }
  return { gate: "health", status: "passed", observed, threshold };
}

/** "sentiment v2", "v1", or "version not reported": what a healthy /health said of its model. */
export function healthFacts(h: OriginHealthBody): string {
  return [h.model_name, h.model_version ?? "version not reported"].filter(Boolean).join(" ");
}

/** A digest matches with or without its "sha256:" prefix. */
export function digestMatches(actual: string, expected: string): boolean {
  const bare = (d: string) => d.trim().toLowerCase().replace(/^sha256:/, "");
  return bare(actual) === bare(expected);
}

/** Smoke: every answer followed the origin contract (optional routes may be absent), and at least one prediction succeeded. */
export function assessSmoke(s: SmokeOutcome): GateResult {
  const bad = s.checks.filter((c) => c.verdict === "violation");
  const predictions = s.checks.filter((c) => c.kind === "prediction");
  const served = predictions.filter((c) => c.verdict === "ok");
  const absent = s.checks.filter((c) => c.verdict === "absent");
  const applicable = s.checks.length - absent.length;
  const observed = `${applicable - bad.length}/${applicable} checks conform${absent.length ? ` (not offered, optional: ${absent.map((c) => c.path).join(", ")})` : ""}`;
  const threshold = "all answers follow the origin contract";
  if (bad.length > 0) {
    return { gate: "smoke", status: "failed", observed, threshold, reason: bad.map((c) => `${c.name}: ${c.problem}`).join("; ") };
  }
  if (predictions.length > 0 && served.length === 0) {
    return { gate: "smoke", status: "failed", observed: "no prediction succeeded", threshold, reason: "every prediction request answered a server error" };
  }
  return { gate: "smoke", status: "passed", observed, threshold };
}

/** Error rate under load at most `maxErrorRate`. */
export function assessErrorRate(load: LoadStats | null, t: Thresholds): GateResult {
  const threshold = `≤ ${fmt.pct(t.maxErrorRate)}`;
  if (!load || load.total === 0) return { gate: "error-rate", status: "error", observed: "no requests completed", threshold, reason: "could not measure: the load step completed no request" };
  const observed = `${fmt.pct(load.errorRate)} (${load.errors}/${load.total})`;
  if (load.errorRate > t.maxErrorRate) {
    return { gate: "error-rate", status: "failed", observed, threshold, reason: `error rate ${fmt.pct(load.errorRate)} is above ${fmt.pct(t.maxErrorRate)}${describeErrors(load)}` };
  }
  return { gate: "error-rate", status: "passed", observed, threshold };
}

function describeErrors(load: LoadStats): string {
  const parts = Object.entries(load.statusCounts)
    .filter(([code]) => !code.startsWith("2"))
    .map(([code, n]) => `${n}× HTTP ${code}`);
  if (load.timeouts) parts.push(`${load.timeouts}× timeout`);
  if (load.networkErrors - load.timeouts > 0) parts.push(`${load.networkErrors - load.timeouts}× connection error`);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

/**
 * p99s below this count as this much in the ratio: between such small values
 * a ratio measures scheduler jitter on a busy machine, not the model.
 */
export const P99_RATIO_FLOOR_MS = 50;

/** The baseline's load, measured in the same run; or why there is none to compare with. */
export type P99Baseline = { name: string; load: LoadStats } | { name: null; why: string };

/**
 * p99 under load: at most `maxP99Ratio` times the baseline's p99 from the
 * same interleaved run (both floored at P99_RATIO_FLOOR_MS), and at most
 * `maxP99Ms` when given. Without a baseline and without `maxP99Ms` the p99
 * is reported, "not compared" (skipped).
 */
export function assessP99(load: LoadStats | null, baseline: P99Baseline, t: Thresholds): GateResult {
  const compared = baseline.name !== null && baseline.load.p99Ms !== null ? { name: baseline.name, p99Ms: baseline.load.p99Ms } : null;
  const limits = [
    compared ? `≤ ${fmtRatio(t.maxP99Ratio)} ${compared.name}'s` : null,
    t.maxP99Ms !== null ? `≤ ${fmt.ms(t.maxP99Ms)}` : null,
  ].filter((x): x is string => x !== null);
  const threshold = limits.length > 0 ? limits.join(", ") : "not compared";
  if (!load || load.p99Ms === null) return { gate: "p99", status: "error", observed: "no answers", threshold, reason: "could not measure: no request got an answer" };
  const p99 = load.p99Ms;
  const whyNot = baseline.name === null ? baseline.why : `${baseline.name} got no answer to compare with`;
  if (!compared && t.maxP99Ms === null) {
    return { gate: "p99", status: "skipped", observed: `${fmt.ms(p99)}, not compared`, threshold, reason: `${whyNot}, and no --max-p99-ms` };
  }
  const reasons: string[] = [];
  let observed = fmt.ms(p99);
  if (compared) {
    const ratio = p99Ratio(p99, compared.p99Ms);
    observed = `${fmt.ms(p99)} (${fmtRatio(ratio)} ${compared.name}'s ${fmt.ms(compared.p99Ms)})`;
    if (ratio > t.maxP99Ratio) reasons.push(`p99 ${fmt.ms(p99)} is ${fmtRatio(ratio)} ${compared.name}'s ${fmt.ms(compared.p99Ms)} measured in the same run (allowed ${fmtRatio(t.maxP99Ratio)})`);
  }
  if (t.maxP99Ms !== null && p99 > t.maxP99Ms) reasons.push(`p99 latency ${fmt.ms(p99)} is above ${fmt.ms(t.maxP99Ms)}`);
  return reasons.length > 0 ? { gate: "p99", status: "failed", observed, threshold, reason: reasons.join("; ") } : { gate: "p99", status: "passed", observed, threshold };
}

/** Target p99 over baseline p99, each floored at P99_RATIO_FLOOR_MS (pure). */
export function p99Ratio(targetMs: number, baselineMs: number): number {
  return Math.max(targetMs, P99_RATIO_FLOOR_MS) / Math.max(baselineMs, P99_RATIO_FLOOR_MS);
}

function fmtRatio(r: number): string {
  return `${r.toFixed(r < 10 ? 1 : 0)}×`;
}

/** Golden-set accuracy at least `minAccuracy`. */
export function assessAccuracy(q: QualityStats | null, t: Thresholds, problem?: string): GateResult {
  const threshold = `≥ ${fmt.pct(t.minAccuracy, 1)}`;
  if (!q) return { gate: "accuracy", status: "error", observed: "not measured", threshold, reason: `could not measure: ${problem ?? "no answers"}` };
  const observed = `${fmt.pct(q.target.accuracy, 1)} (${q.target.correct}/${q.examples})`;
  if (q.target.accuracy < t.minAccuracy) {
    return { gate: "accuracy", status: "failed", observed, threshold, reason: `golden-set accuracy ${fmt.pct(q.target.accuracy, 1)} is below ${fmt.pct(t.minAccuracy, 1)}` };
  }
  return { gate: "accuracy", status: "passed", observed, threshold };
}

/** Accuracy drop against the serving colour at most `maxRegression`; skipped without a baseline. */
export function assessRegression(q: QualityStats | null, t: Thresholds, skipReason?: string): GateResult {
  const threshold = `≤ ${fmt.pct(t.maxRegression, 1)} drop`;
  if (!q) return { gate: "regression", status: "error", observed: "not measured", threshold, reason: "could not measure: no answers from the target" };
  if (!q.baseline || q.regression === null) {
    return { gate: "regression", status: "skipped", observed: "no baseline", threshold, reason: skipReason ?? "no baseline to compare with" };
  }
  const sign = q.regression > 0 ? "-" : "+";
  const observed = `${sign}${fmt.pct(Math.abs(q.regression), 1)} vs ${q.baseline.name} (${fmt.pct(q.baseline.accuracy, 1)})`;
  if (q.regression > t.maxRegression) {
    return { gate: "regression", status: "failed", observed, threshold, reason: `accuracy ${fmt.pct(q.target.accuracy, 1)} is ${fmt.pct(q.regression, 1)} below ${q.baseline.name}'s ${fmt.pct(q.baseline.accuracy, 1)} (allowed drop ${fmt.pct(t.maxRegression, 1)})` };
  }
  return { gate: "regression", status: "passed", observed, threshold };
}

/** Gates that did not pass (skipped gates pass). */
export function failedGates(results: GateResult[]): GateResult[] {
  return results.filter((r) => r.status === "failed" || r.status === "error");
}
