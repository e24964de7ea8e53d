/**
 * `npm run sim:drift`: the drift rule's calibration (docs/rollback-policy.md
 * "Prediction drift"). Replays the golden set's per-text predictions of the
 * shipped models as paced traffic through the controller's real label
 * history, baseline, windows and drift rule (bake.ts):
 *
 * - a legitimate release, blue v1 → green v2: the share of bakes rolled
 *   back (a false rollback) at each MAX_LABEL_SHIFT, at each rate;
 * - green v2 with each silent fault of the model server from the flip on:
 *   the time from the flip to the report on which the rule fails the bake.
 *
 * Seeded and deterministic: the same flags print the same tables.
 *
 *   npm run sim:drift -- [--seed 20261130] [--bakes 10000] [--fault-bakes 500]
 *     [--rates 10,50,500] [--shifts 0.07,0.08,0.09,0.1,0.12]
 */
import { parseArgs } from "node:util";
import { DEFAULT_POLICY } from "../../../contract/policy.js";
import { DRIFT_TVD_Z } from "../../../worker/src/controller/drift-rule.js";
import { Rng } from "../engine/rng.js";
import { simulateBake, type BakeParams, type SilentFault } from "./bake.js";
import { goldenLabels, labelCounts } from "./golden-labels.js";
import { detectionSummary, falseRollbackSummary, numberList } from "./summary.js";

const USAGE = `Usage: npm run sim:drift -- [--seed N] [--bakes 10000] [--fault-bakes 500] [--rates 10,50,500] [--shifts 0.07,0.08,0.09,0.1,0.12]`;

/** The silent faults the drills use (docs/model-server.md), each from the flip on. */
const FAULTS: SilentFault[] = [
  { mode: "constant:neutral", rate: 0.6 },
  { mode: "constant:neutral", rate: 1 },
  { mode: "swap:positive,negative", rate: 1 },
  { mode: "random", rate: 1 },
];

const { values } = parseArgs({
  options: {
    seed: { type: "string", default: "20261130" },
    bakes: { type: "string", default: "10000" },
    "fault-bakes": { type: "string", default: "500" },
    rates: { type: "string", default: "10,50,500" },
    shifts: { type: "string", default: "0.07,0.08,0.09,0.1,0.12" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const seed = Number(values.seed);
const bakes = Number(values.bakes);
const faultBakes = Number(values["fault-bakes"]);
const rates = numberList(values.rates);
const shifts = numberList(values.shifts);
if (![seed, bakes, faultBakes].every(Number.isInteger) || bakes < 1 || faultBakes < 1 || rates.length === 0 || shifts.length === 0) {
  console.error(USAGE);
  process.exit(2);
}
const policy = DEFAULT_POLICY;
if (!shifts.includes(policy.maxLabelShift)) shifts.push(policy.maxLabelShift);
shifts.sort((a, b) => a - b);

const started = Date.now();
const golden = await goldenLabels();
const mix = (labels: typeof golden.v1) => Object.entries(labelCounts(labels)).map(([l, n]) => `${n} ${l}`).join(" / ");
console.log(`# sim:drift — seed ${seed}, golden set of ${golden.texts} texts: v1 ${mix(golden.v1)}; v2 ${mix(golden.v2)}`);
console.log(
  `Policy: DRIFT_P_VALUE ${policy.driftPValue}, MAX_LABEL_SHIFT ${policy.maxLabelShift} (on the TVD's lower bound, z ${DRIFT_TVD_Z}), ` +
    `SLOW_WINDOW_SECONDS ${policy.slowWindowSeconds}, MIN_REQUESTS ${policy.minRequests}, BASELINE_MINUTES ${policy.baselineMinutes}, ` +
    `BAKE_SECONDS ${policy.bakeSeconds}; one report a second.\n`,
);

const root = new Rng(seed);
const bake = (rate: number, fault: SilentFault | null, rng: Rng) => {
  const params: BakeParams = { rate, blue: golden.v1, green: golden.v2, fault, policy, reportIntervalMs: 1000, shifts };
  // The flip at any moment of a minute, green's first report at any phase of the interval.
  return simulateBake(params, rng, 1_800_000_000 + rng.uniform() * 60, rng.uniform());
};

console.log(`## A legitimate release (v1 → v2): bakes rolled back, of ${bakes} per rate\n`);
console.log(`| predictions/s | ${shifts.map((s) => `MAX_LABEL_SHIFT ${s}${s === policy.maxLabelShift ? " (default)" : ""}`).join(" | ")} |`);
console.log(`|---|${shifts.map(() => "---").join("|")}|`);
for (const rate of rates) {
  const rng = root.fork();
  const outcomes = Array.from({ length: bakes }, () => bake(rate, null, rng));
  console.log(`| ${rate} | ${falseRollbackSummary(outcomes, shifts).join(" | ")} |`);
}

console.log(`\n## Silent faults in green (v2) from the flip on: seconds from the flip to the rollback decision, at MAX_LABEL_SHIFT ${policy.maxLabelShift}, ${faultBakes} bakes each\n`);
console.log("| fault | predictions/s | median | p95 | max | not caught in the bake |");
console.log("|---|---|---|---|---|---|");
const at = shifts.indexOf(policy.maxLabelShift);
for (const fault of FAULTS) {
  for (const rate of rates) {
    const rng = root.fork();
    const times = Array.from({ length: faultBakes }, () => bake(rate, fault, rng).firstFailureS[at]!);
    const d = detectionSummary(times);
    console.log(`| ${fault.mode} at ${fault.rate * 100}% | ${rate} | ${d.median} | ${d.p95} | ${d.max} | ${d.missed} |`);
  }
}
console.log(`\n(${((Date.now() - started) / 1000).toFixed(0)} s)`);
