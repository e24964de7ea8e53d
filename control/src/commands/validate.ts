/**
 * `bluegreen validate` (docs/cli.md): builds a validation plan from flags and
 * config — target, baseline, thresholds — runs it, prints the gate table and
 * fails with the gate that did not pass. `rollout` reuses the flags and plan.
 */
import { type Command, Option } from "commander";
import { z } from "zod";
import { COLORS, otherColor, type Color } from "../../../contract/colors.js";
import { ORIGIN_CONTRACT_DOC } from "../../../contract/origin.js";
import type { AdminStatus } from "../../../contract/status.js";
import { AdminClient } from "../admin-client.js";
import { requireAdminToken } from "../config.js";
import type { Context } from "../context.js";
import { GateFailed, UsageError } from "../errors.js";
import { intFlag, msFlag, parseFlags, ratioFlag } from "../flags.js";
import type { Endpoint } from "../http.js";
import type { Printer } from "../output/printer.js";
import { renderTable } from "../output/table.js";
import type { GateName, GateResult } from "../validate/gates.js";
import { DEFAULT_HEALTH_OPTIONS } from "../validate/health.js";
import { DEFAULT_GOLDEN_PATH } from "../validate/quality.js";
import { runValidation, type Side, type ValidationPlan, type ValidationReport } from "../validate/run.js";

/** Default thresholds and sizes (also shown by --help). */
export const VALIDATE_DEFAULTS = {
  requests: 500,
  concurrency: 50,
  maxP99Ratio: 2,
  maxErrorRate: 0.01,
  minAccuracy: 0.7,
  maxRegression: 0.02,
  healthRetries: DEFAULT_HEALTH_OPTIONS.retries,
  timeoutMs: 10_000,
} as const;

const HttpUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).transform((u) => u.replace(/\/+$/, ""));
const ColorFlag = z.enum(COLORS);

export const ValidateFlags = z
  .object({
    color: ColorFlag.optional(),
    url: HttpUrl.optional(),
    viaRouter: z.boolean().default(false),
    baseline: z.union([z.enum(["active", "none"]), ColorFlag, HttpUrl], { error: "must be active, none, blue, green or a URL" }).default("active"),
    expectVersion: z.string().min(1).optional(),
    expectDigest: z.string().regex(/^(sha256:)?[0-9a-f]{64}$/i, { error: "must be a sha256 digest (sha256:<64 hex>)" }).optional(),
    requests: intFlag(1, 100_000),
    concurrency: intFlag(1, 1000),
    maxP99Ms: msFlag().optional(),
    maxP99Ratio: z.coerce.number({ error: "must be a number" }).positive({ error: "must be more than 0" }),
    maxErrorRate: ratioFlag(),
    minAccuracy: ratioFlag(),
    maxRegression: ratioFlag(),
    golden: z.string().min(1).default(DEFAULT_GOLDEN_PATH),
    healthRetries: intFlag(0, 50),
    timeoutMs: intFlag(100, 600_000),
  })
  .refine((f) => !(f.color && f.url), { error: "--color and --url exclude each other", path: ["url"] })
  .refine((f) => !(f.url && f.viaRouter), { error: "--via-router validates a colour through the router; it cannot be used with --url", path: ["viaRouter"] });
export type ValidateFlags = z.infer<typeof ValidateFlags>;

/** Adds the validate flags to `cmd` (shared by validate and rollout). */
export function addValidateFlags(cmd: Command, opts: { target: boolean }): Command {
  const d = VALIDATE_DEFAULTS;
  if (opts.target) {
    cmd.option("--color <colour>", "colour to validate: blue or green (default: green)").option("--url <url>", "validate the model server at this URL instead of a colour");
  }
  const opt = (flags: string, description: string, value?: number | string) =>
    value === undefined ? new Option(flags, description) : new Option(flags, description).default(value);
  for (const o of [
    opt("--via-router", "send the traffic through the router with the preview header (needs ADMIN_TOKEN)"),
    opt("--baseline <which>", "compare quality with: active (the serving colour), blue, green, a URL, or none", "active"),
    opt("--expect-version <version>", "the model version the target must serve"),
    opt("--expect-digest <digest>", "the model digest the target must report (sha256:…)"),
    opt("--requests <n>", "load: number of requests", d.requests),
    opt("--concurrency <n>", "load: requests in flight", d.concurrency),
    opt("--max-p99-ratio <x>", "gate: highest p99 under load as a multiple of the serving colour's, measured interleaved in the same run", d.maxP99Ratio),
    opt("--max-p99-ms <ms>", "gate: also an absolute p99 limit (default none; the only latency gate with --baseline none)"),
    opt("--max-error-rate <rate>", "gate: highest error rate under load (0..1)", d.maxErrorRate),
    opt("--min-accuracy <rate>", "gate: lowest accuracy on the golden set (0..1)", d.minAccuracy),
    opt("--max-regression <rate>", "gate: largest accuracy drop against the baseline (0..1)", d.maxRegression),
    opt("--golden <file>", 'golden set, one {"text","label"} per line (default: model-server/golden/sentiment.jsonl)'),
    opt("--health-retries <n>", "health: attempts after the first, with exponential backoff", d.healthRetries),
    opt("--timeout-ms <ms>", "timeout of each request", d.timeoutMs),
  ]) {
    cmd.addOption(o);
  }
  return cmd;
}

/** Parses the validate flags of `cmd`. */
export function parseValidateFlags(cmd: Command): ValidateFlags {
  return parseFlags(ValidateFlags, cmd);
}

function colorUrl(ctx: Context, c: Color): string {
  return c === "blue" ? ctx.config.blueUrl : ctx.config.greenUrl;
}

function originHeaders(ctx: Context): Record<string, string> {
  return ctx.config.originToken ? { "x-origin-token": ctx.config.originToken } : {};
}

/** The side for a colour, direct or through the router's preview. */
export function colorSide(ctx: Context, c: Color, via: "direct" | "router"): Side {
  if (via === "router") {
    const token = requireAdminToken(ctx.config, "--via-router (the preview header)");
    const endpoint: Endpoint = { baseUrl: ctx.config.routerUrl, headers: { "x-bluegreen-preview": c, authorization: `Bearer ${token}` } };
    return { name: c, color: c, endpoint, where: `${ctx.config.routerUrl} (router, preview ${c})` };
  }
  const url = colorUrl(ctx, c);
  return { name: c, color: c, endpoint: { baseUrl: url, headers: originHeaders(ctx) }, where: url };
}

function urlSide(ctx: Context, url: string): Side {
  return { name: url, color: null, endpoint: { baseUrl: url, headers: originHeaders(ctx) }, where: url };
}

/** Asks the router for its status to find the serving colour; null with a reason when it cannot. */
async function serving(ctx: Context): Promise<{ status: AdminStatus | null; why: string }> {
  if (!ctx.config.adminToken) return { status: null, why: "no ADMIN_TOKEN to ask the router" };
  try {
    return { status: await new AdminClient(ctx.config.routerUrl, ctx.config.adminToken, 3000).status(), why: "" };
  } catch (err) {
    return { status: null, why: `router not asked: ${(err as Error).message.replace(/\.$/, "")}` };
  }
}

/**
 * Builds the plan. `status` is the router status when the caller already has
 * it (rollout); otherwise the router is asked, and if it cannot answer the
 * colour that is not the target is assumed to be serving.
 */
export async function buildPlan(ctx: Context, flags: ValidateFlags, known?: AdminStatus): Promise<ValidationPlan> {
  const via = flags.viaRouter ? "router" : "direct";
  const target = flags.url ? urlSide(ctx, flags.url) : colorSide(ctx, flags.color ?? "green", via);
  let baseline: Side | null = null;
  let baselineNote: string;
  const explicit = flags.baseline !== "active";
  if (flags.baseline === "none") {
    baselineNote = "--baseline none";
  } else if (flags.baseline === "active") {
    const { status, why } = known ? { status: known, why: "" } : await serving(ctx);
    const active = status?.active ?? (target.color ? otherColor(target.color) : "blue");
    if (active === target.color) {
      baselineNote = `${target.name} is the serving colour`;
    } else {
      baseline = colorSide(ctx, active, via);
      baselineNote = status ? "serving, per the router" : `assumed serving; ${why}`;
    }
  } else {
    const b = flags.baseline;
    if (b === target.color || b === target.name) throw new UsageError(`--baseline ${b} is the target itself.`, { hint: "compare with the other colour, or pass --baseline none" });
    baseline = b === "blue" || b === "green" ? colorSide(ctx, b, via) : urlSide(ctx, b);
    baselineNote = "--baseline";
  }
  return {
    target,
    via,
    baseline,
    baselineNote,
    baselineExplicit: explicit,
    thresholds: {
      maxErrorRate: flags.maxErrorRate,
      maxP99Ms: flags.maxP99Ms ?? null,
      maxP99Ratio: flags.maxP99Ratio,
      minAccuracy: flags.minAccuracy,
      maxRegression: flags.maxRegression,
      expectVersion: flags.expectVersion,
      expectDigest: flags.expectDigest,
    },
    health: { ...DEFAULT_HEALTH_OPTIONS, retries: flags.healthRetries },
    load: { requests: flags.requests, concurrency: flags.concurrency, deadlineMs: Math.max(30_000, flags.timeoutMs * 3) },
    timeoutMs: flags.timeoutMs,
    goldenPath: flags.golden,
  };
}

const RESULT_WORD: Record<GateResult["status"], string> = { passed: "pass", failed: "FAIL", error: "ERROR", skipped: "skip" };

/** The gate table. */
export function renderGates(printer: Printer, gates: GateResult[]): string {
  const style = (s: GateResult["status"]): "green" | "gray" | "red" => (s === "passed" ? "green" : s === "skipped" ? "gray" : "red");
  return renderTable<GateResult>(
    [
      { header: "gate", value: (g) => g.gate },
      { header: "result", value: (g) => printer.color(style(g.status), RESULT_WORD[g.status]) },
      { header: "observed", value: (g) => g.observed },
      { header: "threshold", value: (g) => g.threshold },
    ],
    gates,
  );
}

const GATE_HINTS: Record<GateName, string> = {
  health: `check the model server's log and its GET /health (a 2xx when it can serve: ${ORIGIN_CONTRACT_DOC}); --expect-version/--expect-digest must match the model_version/model_digest its /health reports`,
  smoke: `the target breaks the origin contract (${ORIGIN_CONTRACT_DOC}); fix it before it takes traffic`,
  "error-rate": "look at the target's errors (its log, FAULT_RATE), or raise --max-error-rate if this rate is acceptable",
  p99: "look at what slows the target (its log, FAULT_LATENCY_MS, CPU), or raise --max-p99-ratio (or --max-p99-ms) if this latency is acceptable",
  accuracy: "the model scores too low on the golden set; deploy a better model, or lower --min-accuracy",
  regression: "the model is worse than the serving one on the golden set; deploy a better model, or raise --max-regression",
};

/** Prints the report (table or JSON) and throws GateFailed naming the failed gates. */
export function finishValidation(printer: Printer, report: ValidationReport, opts: { document: boolean }): void {
  if (opts.document) printer.document(report);
  printer.result("");
  printer.result(renderGates(printer, report.gates));
  printer.result("");
  if (report.passed) {
    printer.result(`${printer.mark("ok")} validate passed: ${report.target.name} is fit to take traffic (${(report.durationMs / 1000).toFixed(1)} s)`);
    return;
  }
  const failed = report.gates.filter((g) => report.failedGates.includes(g.gate));
  const first = failed[0]!;
  throw new GateFailed(first.gate, `validate failed: gate ${report.failedGates.join(", ")} did not pass for ${report.target.name}.`, {
    reason: failed.map((g) => `${g.gate}: ${g.reason ?? g.observed}`).join("; "),
    hint: GATE_HINTS[first.gate],
    details: { failedGates: report.failedGates },
  });
}

/** The `validate` action. */
export async function validateCommand(ctx: Context, cmd: Command): Promise<void> {
  const flags = parseValidateFlags(cmd);
  const plan = await buildPlan(ctx, flags);
  const report = await runValidation(plan, ctx.printer);
  finishValidation(ctx.printer, report, { document: true });
}
