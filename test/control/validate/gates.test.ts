// Covers control/src/validate/gates.ts: one test per gate rule — passed,
// failed (measured bad) and error (could not measure) kept apart, skipped
// regression without a baseline, the p99 gate as a ratio to the baseline's
// p99 (floored), with the optional absolute limit, and "not compared"
// without either; and the digest comparison. A minimal server (docs/architecture.md
// "Bring your own model server") passes the health gate without a version,
// name or digest unless --expect-version/--expect-digest ask for one, and the
// smoke gate without its optional routes.
import { describe, expect, it } from "vitest";
import {
  assessAccuracy,
  assessErrorRate,
  assessHealth,
  assessP99,
  assessRegression,
  assessSmoke,
  digestMatches,
  failedGates,
  P99_RATIO_FLOOR_MS,
  type P99Baseline,
  p99Ratio,
  type Thresholds,
} from "../../../control/src/validate/gates.js";
import type { HealthOutcome } from "../../../control/src/validate/health.js";
import { summarizeLoad } from "../../../control/src/validate/load.js";
import type { QualityStats } from "../../../control/src/validate/quality.js";

const T: Thresholds = { maxErrorRate: 0.01, maxP99Ms: null, maxP99Ratio: 2, minAccuracy: 0.7, maxRegression: 0.02 };
const DIGEST = "sha256:" + "ab".repeat(32);
const healthy = (version = "v2"): HealthOutcome => ({
  health: { status: "healthy", model_version: version, model_name: "sentiment", model_digest: DIGEST, uptime_seconds: 1, request_count: 0, error_rate: 0 },
  attempts: 1,
  elapsedMs: 3,
  reachable: true,
});
const load = (statusCounts: Record<string, number>, latenciesMs: number[], networkErrors = 0) =>
  summarizeLoad({ latenciesMs, statusCounts, networkErrors, timeouts: 0, durationMs: 1000, cutShort: false });
const quality = (target: number, baseline: number | null): QualityStats => ({
  examples: 100,
  target: { name: "green", correct: target * 100, accuracy: target, macroF1: target },
  baseline: baseline === null ? null : { name: "blue", correct: baseline * 100, accuracy: baseline, macroF1: baseline },
  regression: baseline === null ? null : baseline - target,
  agreement: baseline === null ? null : 0.9,
});

describe("health gate", () => {
  it("passes a healthy target", () => expect(assessHealth(healthy(), T).status).toBe("passed"));
  it("fails when no healthy answer came", () => {
    const g = assessHealth({ health: null, attempts: 3, elapsedMs: 10, reachable: true, lastProblem: "unhealthy (loading)" }, T);
    expect(g).toMatchObject({ status: "failed" });
    expect(g.reason).toMatch(/3 attempts: unhealthy \(loading\)/);
  });
  it("fails when the router answered from another colour than the previewed one", () => {
    expect(assessHealth({ ...healthy(), servedBy: "blue" }, T, "green")).toMatchObject({ status: "failed", reason: expect.stringMatching(/from blue, not green/) });
    expect(assessHealth({ ...healthy(), servedBy: "green" }, T, "green").status).toBe("passed");
  });
  it("fails on a version other than --expect-version", () => {
    expect(assessHealth(healthy("v2"), { ...T, expectVersion: "v3" })).toMatchObject({ status: "failed", reason: "serves version v2, expected v3" });
  });
  it("fails on a digest other than --expect-digest, and accepts it with or without the prefix", () => {
    expect(assessHealth(healthy(), { ...T, expectDigest: "sha256:" + "cd".repeat(32) }).status).toBe("failed");
    expect(assessHealth(healthy(), { ...T, expectDigest: "AB".repeat(32) }).status).toBe("passed");
    expect(digestMatches(DIGEST, DIGEST)).toBe(true);
  });
  it("passes a minimal server that reports nothing but a 2xx; the version and digest gates run only when asked, and then name the missing field", () => {
    const minimal: HealthOutcome = { health: {}, attempts: 1, elapsedMs: 3, reachable: true };
    expect(assessHealth(minimal, T)).toMatchObject({ status: "passed", observed: "version not reported" });
    expect(assessHealth({ ...minimal, health: { model_version: "v1" } }, T)).toMatchObject({ status: "passed", observed: "v1" });
    expect(assessHealth(minimal, { ...T, expectVersion: "v1" })).toMatchObject({
      status: "failed",
      reason: expect.stringMatching(/^\/health reports no model_version, so --expect-version cannot be checked \(an optional field: docs\/architecture\.md#bring-your-own-model-server\)$/),
    });
    expect(assessHealth({ ...minimal, health: { model_version: "v1" } }, { ...T, expectVersion: "v1" }).status).toBe("passed");
    expect(assessHealth({ ...minimal, health: { model_version: "v1" } }, { ...T, expectDigest: DIGEST })).toMatchObject({
      status: "failed",
      reason: expect.stringMatching(/no model_digest, so --expect-digest cannot be checked/),
    });
  });
});

describe("smoke gate", () => {
  const check = (verdict: "ok" | "absent" | "server-error" | "violation", kind: "prediction" | "contract" = "prediction", path = "/predict") => ({ name: "c", kind, path, verdict, status: 200, attempts: 1, problem: "p" });
  it("passes when every answer conforms", () => expect(assessSmoke({ checks: [check("ok"), check("ok", "contract")], serverErrors: 0 }).status).toBe("passed"));
  it("fails on any contract violation", () => expect(assessSmoke({ checks: [check("ok"), check("violation", "contract")], serverErrors: 0 }).status).toBe("failed"));
  it("leaves conforming server errors to the error-rate gate while one prediction succeeds", () => {
    expect(assessSmoke({ checks: [check("ok"), check("server-error")], serverErrors: 3 }).status).toBe("passed");
  });
  it("passes without the optional routes, saying which are not offered", () => {
    const g = assessSmoke({ checks: [check("ok"), check("absent", "prediction", "/predict/batch"), check("ok", "contract"), check("absent", "contract", "/ready")], serverErrors: 0 });
    expect(g).toMatchObject({ status: "passed", observed: "2/2 checks conform (not offered, optional: /predict/batch, /ready)" });
  });
  it("fails when the only predictions are absent routes", () => {
    expect(assessSmoke({ checks: [check("absent"), check("ok", "contract")], serverErrors: 0 }).status).toBe("failed");
  });
  it("fails when no prediction succeeded at all", () => {
    expect(assessSmoke({ checks: [check("server-error"), check("server-error")], serverErrors: 6 }).status).toBe("failed");
  });
});

describe("error-rate gate", () => {
  it("passes at or under the limit", () => expect(assessErrorRate(load({ "200": 99, "500": 1 }, [1]), T).status).toBe("passed"));
  it("fails above the limit and names the error classes", () => {
    const g = assessErrorRate(load({ "200": 70, "500": 30 }, [1]), T);
    expect(g.status).toBe("failed");
    expect(g.reason).toMatch(/30\.00% .*30× HTTP 500/);
  });
  it("counts network errors as errors", () => expect(assessErrorRate(load({ "200": 90 }, [1], 10), T).status).toBe("failed"));
  it("is an error (not measured) when nothing completed", () => expect(assessErrorRate(load({}, []), T).status).toBe("error"));
});

describe("p99 gate", () => {
  /** A run whose p99 is `p99` ms (100 answers, the slowest ones at `p99`). */
  const at = (p99: number) => load({ "200": 100 }, [...Array.from({ length: 98 }, () => 5), p99, p99]);
  const blue = (p99: number): P99Baseline => ({ name: "blue", load: at(p99) });
  const none: P99Baseline = { name: null, why: "no baseline (--baseline none)" };

  it("passes at or under the ratio to the baseline's p99", () => {
    const g = assessP99(at(400), blue(200), T);
    expect(g).toMatchObject({ status: "passed", observed: "400 ms (2.0× blue's 200 ms)", threshold: "≤ 2.0× blue's" });
  });
  it("fails above the ratio, saying both p99s", () => {
    const g = assessP99(at(401), blue(200), T);
    expect(g.status).toBe("failed");
    expect(g.reason).toBe("p99 401 ms is 2.0× blue's 200 ms measured in the same run (allowed 2.0×)");
  });
  it("floors both p99s, so jitter between small ones is not a failure", () => {
    expect(p99Ratio(30, 5)).toBe(1);
    expect(p99Ratio(2 * P99_RATIO_FLOOR_MS, 5)).toBe(2);
    expect(assessP99(at(P99_RATIO_FLOOR_MS * 2), blue(3), T).status).toBe("passed");
    expect(assessP99(at(P99_RATIO_FLOOR_MS * 2 + 1), blue(3), T).status).toBe("failed");
  });
  it("applies --max-p99-ms as well when given", () => {
    const both = { ...T, maxP99Ms: 250 };
    expect(assessP99(at(300), blue(200), both)).toMatchObject({ status: "failed", threshold: "≤ 2.0× blue's, ≤ 250 ms", reason: "p99 latency 300 ms is above 250 ms" });
    expect(assessP99(at(240), blue(200), both).status).toBe("passed");
  });
  it("falls back to --max-p99-ms without a baseline", () => {
    expect(assessP99(at(500), none, { ...T, maxP99Ms: 500 })).toMatchObject({ status: "passed", threshold: "≤ 500 ms" });
    expect(assessP99(at(501), none, { ...T, maxP99Ms: 500 }).status).toBe("failed");
  });
  it("is 'not compared' (skipped) without a baseline or an absolute limit, saying why", () => {
    expect(assessP99(at(900), none, T)).toMatchObject({ status: "skipped", observed: "900 ms, not compared", threshold: "not compared", reason: "no baseline (--baseline none), and no --max-p99-ms" });
    expect(assessP99(at(900), { name: "blue", load: load({}, [], 50) }, T)).toMatchObject({ status: "skipped", reason: "blue got no answer to compare with, and no --max-p99-ms" });
  });
  it("is an error when no request got an answer", () => expect(assessP99(load({}, [], 5), blue(10), T).status).toBe("error"));
});

describe("accuracy gate", () => {
  it("passes at or over the minimum", () => expect(assessAccuracy(quality(0.7, null), T).status).toBe("passed"));
  it("fails under the minimum", () => expect(assessAccuracy(quality(0.69, null), T).status).toBe("failed"));
  it("is an error when the golden set could not be scored", () => expect(assessAccuracy(null, T, "HTTP 500").reason).toMatch(/could not measure: HTTP 500/));
});

describe("regression gate", () => {
  it("passes when the target is better or within the allowed drop", () => {
    expect(assessRegression(quality(0.8, 0.75), T).status).toBe("passed");
    expect(assessRegression(quality(0.74, 0.75), T).status).toBe("passed");
  });
  it("fails when the drop against the baseline is larger than allowed", () => {
    expect(assessRegression(quality(0.7, 0.8), T)).toMatchObject({ status: "failed" });
  });
  it("is skipped, with the reason, without a baseline", () => {
    expect(assessRegression(quality(0.8, null), T, "--baseline none")).toMatchObject({ status: "skipped", reason: "--baseline none" });
  });
});

it("failedGates keeps failed and error gates, not passed or skipped ones", () => {
  const gates = [assessP99(load({ "200": 1 }, [1]), { name: null, why: "none" }, T), assessRegression(quality(0.8, null), T), assessErrorRate(load({}, []), T), assessAccuracy(quality(0.1, null), T)];
  expect(failedGates(gates).map((g) => g.gate)).toEqual(["error-rate", "accuracy"]);
});
