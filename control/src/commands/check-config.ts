/**
 * `bluegreen check-config [--env NAME]` (`npm run check-config`): before
 * `wrangler deploy`, checks one environment of wrangler.toml — every var
 * with the Worker's own parsers, the bindings, the origins and the secrets —
 * one line per check, then a summary. Exit 0 when nothing is a problem
 * (warnings allowed), 1 when something is, 2 when the file or the
 * environment cannot be read.
 */
import type { Command } from "commander";
import { z } from "zod";
import { assessConfig, type CheckStatus, envFlag } from "../check-config/assess.js";
import { readConfigFacts } from "../check-config/read.js";
import { GateFailed } from "../errors.js";
import { parseFlags } from "../flags.js";
import type { Mark, Printer } from "../output/printer.js";

export const CheckConfigFlags = z.object({
  env: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, { error: "must be an environment name like production" })
    .optional(),
  config: z.string().min(1).default("wrangler.toml"),
  secretsFrom: z.string().min(1).optional(),
});

const MARK: Record<CheckStatus, Mark> = { ok: "ok", problem: "fail", warning: "warn", info: "info" };

/** Adds the check-config flags to `cmd`. */
export function addCheckConfigFlags(cmd: Command): Command {
  return cmd
    .option("--env <name>", "the wrangler environment to check, e.g. production (default: the top level, run locally)")
    .option("--config <file>", "the wrangler config", "wrangler.toml")
    .option("--secrets-from <file>", "check the secrets in this KEY=value file (default: .dev.vars beside the config for the top level; none for an environment)");
}

/** The `check-config` action: reads, assesses, prints; throws GateFailed when a check is a problem. */
export async function checkConfigCommand(printer: Printer, cwd: string, cmd: Command): Promise<void> {
  const flags = parseFlags(CheckConfigFlags, cmd);
  const env = flags.env ?? null;
  const { facts, configPath } = await readConfigFacts({ configPath: flags.config, env, secretsFrom: flags.secretsFrom }, cwd);
  printer.addSecrets(Object.values(facts.secrets?.values ?? {}).filter((v) => v.trim().length >= 4));
  const where = env === null ? `${configPath} (top level: the local stack)` : `${configPath} --env ${env}`;
  printer.step("info", "config", `${where}: worker ${facts.worker}`);

  const checks = assessConfig(facts);
  for (const c of checks) printer.step(MARK[c.status], c.check, c.message);
  const problems = checks.filter((c) => c.status === "problem");
  const warnings = checks.filter((c) => c.status === "warning");
  printer.document({ config: configPath, env, worker: facts.worker, passed: problems.length === 0, problems: problems.length, warnings: warnings.length, checks });

  const next = env === null ? "npm start" : `npx wrangler deploy${envFlag(env)}`;
  if (problems.length > 0) {
    const n = problems.length;
    throw new GateFailed("config", `check-config: ${n} problem${n > 1 ? "s" : ""} in ${where}.`, {
      reason: `problems with ${[...new Set(problems.map((p) => p.subject ?? p.check))].join(", ")}`,
      hint: `fix the ✗ lines above, then run check-config again before ${next}`,
      details: { problems: problems.map((p) => p.message) },
    });
  }
  const w = warnings.length;
  printer.result(`${printer.mark("ok")} check-config passed: ready for ${next}${w > 0 ? ` (${w} warning${w > 1 ? "s" : ""} above)` : ""}`);
}
