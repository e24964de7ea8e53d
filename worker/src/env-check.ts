/**
 * Checks a Worker env (its vars and secrets) before anything runs on it:
 * `npm start` and `bluegreen check-config` call this with the vars wrangler
 * would give the Worker. It runs the Worker's own parsers — routerConfig
 * (config.ts) and policyFromEnv (controller/rollout-policy.ts) — so the
 * rules live in one place, and turns their errors into one line per bad var:
 * `VAR: what is wrong (got "…")`. Secret values never appear in a line.
 * Pure: no I/O, safe to import from Node (control/) as well as the Worker.
 */
import { ConfigError, routerConfig } from "./config.js";
import { PolicyConfigError, policyFromEnv, type PolicyEnv } from "./controller/rollout-policy.js";

declare global {
  // The Worker's Env comes from worker-configuration.d.ts; Node-side programs that import
  // this module (control/, test/) do not load it, and config.ts only needs the name to exist.
  interface Env {}
}

/** The Worker's secrets: their values are never shown, only whether they are set. */
export const SECRET_VARS = ["ADMIN_TOKEN", "ORIGIN_TOKEN", "ALERT_WEBHOOK_URL"] as const;

/** One bad variable. */
export interface EnvProblem {
  /** The variable's name, e.g. "BAKE_SECONDS". */
  variable: string;
  /** `VAR: what is wrong (got "…")`, for people. */
  message: string;
}

/** What checkWorkerEnv found: no problems means the Worker will parse this env. */
export interface EnvCheck {
  problems: EnvProblem[];
}

const VAR_PATH = /^([A-Z][A-Z0-9_]*)(?:\.[\w.]*)?: ([\s\S]*)$/;

/** How a value is shown in a message: quoted, "(not set)", or hidden for secrets. */
function shown(variable: string, value: string | undefined): string {
  if ((SECRET_VARS as readonly string[]).includes(variable)) return "(value hidden)";
  return value === undefined ? "(not set)" : `(got ${JSON.stringify(value)})`;
}

/**
 * Splits a ConfigError message ("invalid Worker configuration: A: msg; B.0: msg")
 * into one problem per variable; several issues of one variable share a line.
 */
function routerProblems(err: ConfigError, vars: Record<string, string | undefined>): EnvProblem[] {
  const body = err.message.replace(/^[^:]*configuration: /, "");
  const byVar = new Map<string, string[]>();
  for (const part of body.split(/; (?=[A-Z][A-Z0-9_]*(?:\.[\w.]*)?: )/)) {
    const m = VAR_PATH.exec(part);
    // A message in another shape still names the var (config.ts never puts values in it).
    const [variable, rawText] = m ? [m[1]!, m[2]!] : ["(router)", part];
    const text = vars[variable] === undefined && /received undefined/.test(rawText) ? "required" : rawText;
    const list = byVar.get(variable) ?? [];
    if (!list.includes(text)) list.push(text);
    byVar.set(variable, list);
  }
  return [...byVar].map(([variable, texts]) => ({
    variable,
    message: `${variable}: ${texts.join("; ")} ${variable === "(router)" ? "" : shown(variable, vars[variable])}`.trimEnd(),
  }));
}

/** PolicyConfigError issues read "VAR must be … (got "…")"; this makes them "VAR: must be …". */
function policyProblems(err: PolicyConfigError): EnvProblem[] {
  return err.issues.map((issue) => {
    const m = /^([A-Z][A-Z0-9_]*) ([\s\S]*)$/.exec(issue);
    if (!m) return { variable: "(policy)", message: issue };
    const [, variable, rest] = m as unknown as [string, string, string];
    return { variable, message: /^[a-z]/.test(rest) ? `${variable}: ${rest}` : issue };
  });
}

/** Checks every router and rollout-policy var of `vars` with the Worker's own parsers. */
export function checkWorkerEnv(vars: Record<string, string | undefined>): EnvCheck {
  const problems: EnvProblem[] = [];
  try {
    // A fresh object: routerConfig caches by env identity.
    routerConfig({ ...vars });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...routerProblems(err, vars));
  }
  try {
    policyFromEnv(vars as PolicyEnv);
  } catch (err) {
    if (!(err instanceof PolicyConfigError)) throw err;
    problems.push(...policyProblems(err));
  }
  return { problems };
}
