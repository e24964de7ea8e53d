/**
 * `npm run models:accuracy [-- --json] [-- --model sentiment/v1 --model …]
 * [-- --models-dir DIR] [-- --golden FILE] [-- --examples N]`: loads each
 * model through `loadModel`, scores it on the golden set, and prints
 * accuracy, per-label precision/recall/F1, the confusion matrix, the
 * agreement rate of each pair of models and some texts they disagree on.
 * Exit 0, or 2 on a usage, model or golden-set error.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { GoldenExample } from "../../contract/golden-set.js";
import { type Label, LABELS } from "../../contract/prediction.js";
import { agreementRate, type Evaluation } from "../../contract/scoring.js";
import { evaluate } from "../src/model/evaluate.js";
import { readGoldenSet } from "../src/model/golden-set.js";
import { loadModel } from "../src/model/load.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The shipped golden set, `model-server/golden/sentiment.jsonl`. */
export const GOLDEN_SET_FILE = path.resolve(HERE, "../golden/sentiment.jsonl");
const MODELS_DIR = path.resolve(HERE, "../models");
const DEFAULT_MODELS = ["sentiment/v1", "sentiment/v2"];

export interface ModelReport extends Evaluation {
  model: string;
  kind: string;
  digest: string;
  predictions: Label[];
}
export interface PairReport {
  a: string;
  b: string;
  agreement: number;
  disagreements: Array<{ text: string; label: Label; a: Label; b: Label }>;
}
export interface AccuracyReport {
  golden: { file: string; examples: number; byLabel: Record<Label, number> };
  models: ModelReport[];
  pairs: PairReport[];
}

/** Loads each `name/version` under `modelsDir` and scores it, and each pair, on `examples`. */
export async function accuracyReport(
  modelsDir: string,
  models: readonly string[],
  examples: readonly GoldenExample[],
  goldenFile: string,
  maxExamples = 8,
): Promise<AccuracyReport> {
  const reports: ModelReport[] = [];
  for (const id of models) {
    const model = await loadModel(path.join(modelsDir, id));
    reports.push({ model: id, kind: model.kind, digest: model.digest, ...evaluate(model, examples) });
  }
  const pairs: PairReport[] = [];
  for (let i = 0; i < reports.length; i++) {
    for (let j = i + 1; j < reports.length; j++) {
      const [a, b] = [reports[i]!, reports[j]!];
      const disagreements = examples
        .map((e, k) => ({ text: e.text, label: e.label, a: a.predictions[k]!, b: b.predictions[k]! }))
        .filter((d) => d.a !== d.b);
      pairs.push({ a: a.model, b: b.model, agreement: agreementRate(a.predictions, b.predictions), disagreements: disagreements.slice(0, maxExamples) });
    }
  }
  const byLabel = Object.fromEntries(LABELS.map((l) => [l, examples.filter((e) => e.label === l).length])) as Record<Label, number>;
  return { golden: { file: goldenFile, examples: examples.length, byLabel }, models: reports, pairs };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const pad = (s: string | number, n: number) => String(s).padEnd(n);
const lpad = (s: string | number, n: number) => String(s).padStart(n);

/** The human-readable report. */
export function formatReport(r: AccuracyReport): string {
  const out: string[] = [];
  const counts = LABELS.map((l) => `${r.golden.byLabel[l]} ${l}`).join(", ");
  out.push(`golden set: ${path.relative(process.cwd(), r.golden.file)} (${r.golden.examples} examples: ${counts})`, "");
  out.push(`${pad("model", 16)}${pad("kind", 15)}${lpad("accuracy", 9)}${lpad("macro-F1", 10)}  digest`);
  for (const m of r.models) {
    out.push(`${pad(m.model, 16)}${pad(m.kind, 15)}${lpad(pct(m.accuracy), 9)}${lpad(m.macroF1.toFixed(3), 10)}  ${m.digest}`);
  }
  for (const m of r.models) {
    out.push("", `${m.model}: ${m.correct}/${m.examples} correct`);
    out.push(`  ${pad("label", 10)}${lpad("precision", 10)}${lpad("recall", 8)}${lpad("F1", 7)}${lpad("support", 9)}`);
    for (const l of LABELS) {
      const s = m.perLabel[l];
      out.push(`  ${pad(l, 10)}${lpad(pct(s.precision), 10)}${lpad(pct(s.recall), 8)}${lpad(s.f1.toFixed(3), 7)}${lpad(s.support, 9)}`);
    }
    out.push(`  confusion (rows: actual, columns: predicted)`);
    out.push(`  ${pad("", 10)}${LABELS.map((l) => lpad(l, 10)).join("")}`);
    for (const a of LABELS) out.push(`  ${pad(a, 10)}${LABELS.map((p) => lpad(m.confusion[a][p], 10)).join("")}`);
  }
  for (const p of r.pairs) {
    out.push("", `agreement ${p.a} vs ${p.b}: ${pct(p.agreement)}; some texts they disagree on:`);
    for (const d of p.disagreements) out.push(`  [${d.label}] ${JSON.stringify(d.text)} → ${p.a}: ${d.a}, ${p.b}: ${d.b}`);
  }
  return out.join("\n");
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      json: { type: "boolean", default: false },
      model: { type: "string", multiple: true },
      "models-dir": { type: "string" },
      golden: { type: "string" },
      examples: { type: "string", default: "8" },
    },
  });
  const maxExamples = Number(values.examples);
  if (!Number.isInteger(maxExamples) || maxExamples < 0) throw new Error(`--examples must be a whole number, got "${values.examples}"`);
  const goldenFile = path.resolve(values.golden ?? GOLDEN_SET_FILE);
  const examples = await readGoldenSet(goldenFile);
  const models = values.model ?? DEFAULT_MODELS;
  const report = await accuracyReport(path.resolve(values["models-dir"] ?? MODELS_DIR), models, examples, goldenFile, maxExamples);
  if (values.json) {
    const models = report.models.map(({ predictions: _p, ...m }) => m);
    console.log(JSON.stringify({ golden: report.golden, models, pairs: report.pairs }, null, 2));
  } else {
    console.log(formatReport(report));
  }
  return 0;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`models:accuracy failed: ${err instanceof Error ? err.message : String(err)}`);
      console.error("Check the model directory (npm run models:build rebuilds it) and the golden-set file.");
      process.exit(2);
    },
  );
}
