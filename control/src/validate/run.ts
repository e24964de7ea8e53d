/**
 * Runs the four validate steps in order (health → smoke → load → quality),
 * prints one line per step, and collects the measurements and gate verdicts
 * into a report. A target that never answers is `Unreachable` (exit 3); a
 * failed health or smoke gate skips the steps after it. With a baseline the
 * load is interleaved between target and baseline (interleave.ts), and the
 * p99 gate compares the two.
 */
import type { Color } from "../../../contract/colors.js";
import { Unreachable } from "../errors.js";
import type { Endpoint } from "../http.js";
import * as fmt from "../output/format.js";
import type { Printer } from "../output/printer.js";
import { startProgress } from "../output/progress.js";
import {
  assessAccuracy,
  assessErrorRate,
  assessHealth,
  assessP99,
  assessRegression,
  assessSmoke,
  failedGates,
  healthFacts,
  type GateName,
  type GateResult,
  type P99Baseline,
  type Thresholds,
} from "./gates.js";
import { checkHealth, type HealthOptions, type HealthOutcome } from "./health.js";
import { runInterleavedLoad } from "./interleave.js";
import { type LoadStats, runLoad } from "./load.js";
import { type GoldenExample, PredictionsFailed, predictLabels, type QualityStats, readGoldenSet, scoreQuality } from "./quality.js";
import { runSmoke, type SmokeOutcome } from "./smoke.js";

/** One side of a validation: the target, or the baseline it is compared with. */
export interface Side {
  /** "green", "blue", or the URL when validating a bare URL. */
  name: string;
  color: Color | null;
  /** Carries the tokens; never printed. */
  endpoint: Endpoint;
  /** Where requests go, for people ("http://127.0.0.1:8787 (router, preview green)"). */
  where: string;
}

export interface ValidationPlan {
  target: Side;
  via: "direct" | "router";
  baseline: Side | null;
  /** Why this baseline (or none). */
  baselineNote: string;
  /** True when the operator chose the baseline: then an unreachable baseline is an error. */
  baselineExplicit: boolean;
  thresholds: Thresholds;
  health: HealthOptions;
  load: { requests: number; concurrency: number; deadlineMs: number };
  timeoutMs: number;
  goldenPath: string;
}

export interface ValidationReport {
  target: { name: string; color: Color | null; where: string; via: "direct" | "router" };
  baseline: { name: string; where: string; note: string } | null;
  health: Omit<HealthOutcome, "lastProblem"> & { lastProblem?: string };
  smoke: SmokeOutcome | null;
  load: LoadStats | null;
  /** The baseline's load, interleaved with the target's in `loadRounds` rounds; null without a baseline. */
  baselineLoad: LoadStats | null;
  loadRounds: number | null;
  /** With the route the target's answers came from (`/predict` when it has no batch route). */
  quality: (QualityStats & { goldenSet: string; route: "/predict/batch" | "/predict" }) | null;
  gates: GateResult[];
  passed: boolean;
  failedGates: GateName[];
  durationMs: number;
}

const skipped = (gate: GateName, reason: string): GateResult => ({ gate, status: "skipped", observed: "–", threshold: "–", reason });

/** Runs the validation plan, printing step lines on `printer`. */
export async function runValidation(plan: ValidationPlan, printer: Printer): Promise<ValidationReport> {
  const started = performance.now();
  const { target, thresholds: t } = plan;
  const golden = readGoldenSet(plan.goldenPath);
  printer.step("info", "target", `${target.name} at ${target.where}; baseline ${plan.baseline ? `${plan.baseline.name} (${plan.baselineNote})` : `none (${plan.baselineNote})`}`);

  // 1. health
  const health = await checkHealth(target.endpoint, plan.health, (attempt, problem, waitMs) =>
    printer.step("warn", "health", `attempt ${attempt}: ${problem}; retrying in ${fmt.ms(waitMs)}`),
  );
  if (!health.reachable) {
    printer.step("fail", "health", `${target.name} unreachable after ${health.attempts} attempts: ${health.lastProblem}`);
    throw new Unreachable(`Cannot reach ${target.name} at ${target.where}.`, {
      reason: `GET /health: ${health.lastProblem} (${health.attempts} attempts over ${fmt.ms(health.elapsedMs)})`,
      hint: unreachableHint(target, plan.via),
    });
  }
  const gates: GateResult[] = [assessHealth(health, t, plan.via === "router" ? target.color : null)];
  const h = health.health;
  printer.step(
    gates[0]!.status === "passed" ? "ok" : "fail",
    "health",
    h
      ? `${healthFacts(h)} ${h.model_digest ? fmt.shortDigest(h.model_digest) : "(no digest reported)"}, healthy after ${health.attempts} attempt${health.attempts > 1 ? "s" : ""} (${fmt.ms(health.elapsedMs)})${gates[0]!.reason ? ` — ${gates[0]!.reason}` : ""}`
      : gates[0]!.reason!,
  );
  const report = (rest: Partial<ValidationReport>): ValidationReport => {
    const failed = failedGates(gates);
    return {
      target: { name: target.name, color: target.color, where: target.where, via: plan.via },
      baseline: plan.baseline ? { name: plan.baseline.name, where: plan.baseline.where, note: plan.baselineNote } : null,
      health,
      smoke: null,
      load: null,
      baselineLoad: null,
      loadRounds: null,
      quality: null,
      ...rest,
      gates,
      passed: failed.length === 0,
      failedGates: failed.map((g) => g.gate),
      durationMs: performance.now() - started,
    };
  };
  const skipRest = (after: GateName) => {
    for (const g of ["smoke", "error-rate", "p99", "accuracy", "regression"] as const) {
      if (!gates.some((x) => x.gate === g)) gates.push(skipped(g, `${after} failed`));
    }
  };
  if (gates[0]!.status !== "passed") {
    skipRest("health");
    return report({});
  }

  // 2. smoke
  const smoke = await runSmoke(target.endpoint, {
    timeoutMs: plan.timeoutMs,
    expectModelVersion: h?.model_version,
    expectColor: plan.via === "router" ? (target.color ?? undefined) : undefined,
    credential: plan.via === "router" ? "ADMIN_TOKEN" : "ORIGIN_TOKEN",
  });
  const smokeGate = assessSmoke(smoke);
  gates.push(smokeGate);
  const retried = smoke.serverErrors ? `, ${smoke.serverErrors} server error${smoke.serverErrors > 1 ? "s" : ""} retried` : "";
  printer.step(smokeGate.status === "passed" ? "ok" : "fail", "smoke", `${smokeGate.observed.replace(/^(\d+\/\d+ checks conform)/, "$1 to the origin contract")}${retried}${smokeGate.reason ? ` — ${smokeGate.reason}` : ""}`);
  if (smokeGate.status !== "passed") {
    skipRest("smoke");
    return report({ smoke });
  }

  // 3. load (interleaved with the baseline's when there is one)
  const base = plan.baseline;
  const bar = startProgress(printer, "load", plan.load.requests * (base ? 2 : 1), "req");
  const loadOptions = { ...plan.load, timeoutMs: plan.timeoutMs, texts: golden.map((e) => e.text) };
  let load: LoadStats;
  let baselineLoad: LoadStats | null = null;
  let loadRounds: number | null = null;
  try {
    if (base) {
      ({ target: load, baseline: baselineLoad, rounds: loadRounds } = await runInterleavedLoad(target.endpoint, base.endpoint, loadOptions, () => bar.tick()));
    } else {
      load = await runLoad(target.endpoint, loadOptions, () => bar.tick());
    }
  } finally {
    bar.stop();
  }
  const p99Baseline: P99Baseline = base && baselineLoad ? { name: base.name, load: baselineLoad } : { name: null, why: `no baseline (${plan.baselineNote})` };
  const loadGates = [assessErrorRate(load, t), assessP99(load, p99Baseline, t)];
  gates.push(...loadGates);
  const concurrency = Math.min(plan.load.concurrency, plan.load.requests);
  const against = base && baselineLoad
    ? `, interleaved with ${base.name} in ${loadRounds} round${loadRounds === 1 ? "" : "s"} (${base.name} p99 ${fmt.ms(baselineLoad.p99Ms)}, errors ${fmt.pct(baselineLoad.errorRate)})`
    : "";
  printer.step(
    loadGates.every((g) => g.status === "passed" || g.status === "skipped") ? "ok" : "fail",
    "load",
    `${load.total} requests at concurrency ${concurrency}: ${fmt.rate(load.throughput)}, p50 ${fmt.ms(load.p50Ms)}, p95 ${fmt.ms(load.p95Ms)}, p99 ${fmt.ms(load.p99Ms)}, errors ${fmt.pct(load.errorRate)}${against}${load.cutShort ? " (cut short by the deadline)" : ""}`,
  );

  // 4. quality
  const quality = await measureQuality(plan, golden, printer);
  gates.push(assessAccuracy(quality.stats, t, quality.problem), assessRegression(quality.stats, t, quality.skipReason));
  const q = quality.stats;
  const qGates = gates.slice(-2);
  printer.step(
    qGates.every((g) => g.status === "passed" || g.status === "skipped") ? "ok" : "fail",
    "quality",
    q
      ? `accuracy ${fmt.pct(q.target.accuracy, 1)} on ${q.examples} golden examples${quality.route === "/predict" ? " (one /predict per text: no /predict/batch)" : ""}` +
          (q.baseline ? `, ${q.baseline.name} ${fmt.pct(q.baseline.accuracy, 1)}, agreement ${fmt.pct(q.agreement, 1)}` : `, no baseline (${quality.skipReason})`)
      : `not measured: ${quality.problem}`,
  );
  return report({ smoke, load, baselineLoad, loadRounds, quality: q ? { ...q, goldenSet: plan.goldenPath, route: quality.route ?? "/predict/batch" } : null });
}

interface QualityMeasurement {
  stats: QualityStats | null;
  /** The route the target's answers came from. */
  route?: "/predict/batch" | "/predict";
  problem?: string;
  skipReason?: string;
}

async function measureQuality(plan: ValidationPlan, golden: GoldenExample[], printer: Printer): Promise<QualityMeasurement> {
  const texts = golden.map((e) => e.text);
  // Five attempts per batch: a transient 5xx (or FAULT_RATE) must not leave quality unmeasured.
  const opts = { timeoutMs: plan.timeoutMs, attempts: 5, concurrency: 2 };
  const [target, baseline] = await Promise.allSettled([
    predictLabels(plan.target.endpoint, texts, opts),
    plan.baseline ? predictLabels(plan.baseline.endpoint, texts, opts) : Promise.resolve(null),
  ]);
  if (target.status === "rejected") {
    if (!(target.reason instanceof PredictionsFailed)) throw target.reason;
    return { stats: null, problem: `${plan.target.name}: ${target.reason.message}` };
  }
  let baselineLabels: string[] | null = null;
  let skipReason: string | undefined = plan.baseline ? undefined : plan.baselineNote;
  if (baseline.status === "rejected") {
    if (!(baseline.reason instanceof PredictionsFailed)) throw baseline.reason;
    const b = plan.baseline!;
    if (plan.baselineExplicit) {
      throw new Unreachable(`Cannot get golden-set answers from the baseline ${b.name} at ${b.where}.`, {
        reason: baseline.reason.message,
        hint: `start ${b.name}, or pass --baseline none to skip the regression gate`,
      });
    }
    skipReason = `baseline ${b.name} did not answer: ${baseline.reason.message}`;
    printer.step("warn", "quality", `${skipReason}; the regression gate is skipped`);
  } else {
    baselineLabels = baseline.value?.labels ?? null;
  }
  const stats = scoreQuality(
    golden,
    { name: plan.target.name, labels: target.value.labels },
    baselineLabels && plan.baseline ? { name: plan.baseline.name, labels: baselineLabels } : null,
  );
  return { stats, route: target.value.route, ...(skipReason ? { skipReason } : {}) };
}

function unreachableHint(target: Side, via: "direct" | "router"): string {
  if (via === "router") return "start the router (npm start), or set ROUTER_URL (or --router-url) to where it runs";
  if (target.color) {
    const v = target.color === "blue" ? "BLUE_URL" : "GREEN_URL";
    return `start the ${target.color} model server (npm start), or set ${v} (or --${target.color}-url) to where it runs`;
  }
  return "check the --url and that the model server there is running";
}
