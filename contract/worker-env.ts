/**
 * The router Worker's env: its vars with their defaults, its secrets, and
 * the check `npm start` and `bluegreen check-config` run before anything is
 * started or deployed — the Worker's own parsers, so the rules live in one
 * place. wrangler.toml sets only the vars without a default (the deployment's
 * name and its pools) and whatever an environment changes.
 */
import { ConfigError, enumVar, intVar, originsVar, listVar, parseEnv, secretVar, textVar, type EnvStrings, type EnvValues } from "./env.js";
import { POLICY_VARS, policyFromEnv } from "./policy.js";
import { DEFAULT_MAX_TEXT_CHARS } from "./prediction.js";
import { SHADOW_VARS, shadowEnvProblems } from "./shadow.js";

const ENTRY = /^\/(?:[A-Za-z0-9._~!$&'()+;=:@-]+\/)*(?:[A-Za-z0-9._~!$&'()+;=:@-]+|\*)?$/;
const DOT_SEGMENT = /(^|\/)\.{1,2}(\/|$)/;

/**
 * Why `entry` is not a valid PROXY_PATHS entry, or null when it is: `/exact`
 * or `/prefix/*`, plain path characters only (no `%`, `?`, `#`, `..`, `//`),
 * `*` only as the final `/*`.
 */
export function proxyPathProblem(entry: string): string | null {
  if (!entry.startsWith("/")) return `"${entry}" must start with "/"`;
  if (DOT_SEGMENT.test(entry)) return `"${entry}" must not contain "." or ".." segments`;
  if (!ENTRY.test(entry)) {
    return `"${entry}" may hold only path characters (no %, ?, #, //, spaces), with "*" only as a final "/*"`;
  }
  return null;
}

const DEPLOYMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

/** The router's vars (the rollout policy's are in policy.ts), each with its default. */
export const ROUTER_VARS = {
  /** Names the deployment: its controller (`idFromName`) and its KV key. */
  DEPLOYMENT_NAME: textVar({
    required: true,
    problem: (s) => (DEPLOYMENT_NAME.test(s) ? null : "must be 1..63 of A-Z a-z 0-9 _ -, starting with a letter or digit"),
  }),
  /** Blue's pool: comma-separated origin URLs. */
  BLUE_ORIGINS: originsVar(),
  /** Green's pool. */
  GREEN_ORIGINS: originsVar(),
  /** How long an origin may take to send its answer's headers. */
  ORIGIN_TIMEOUT_MS: intVar({ default: 30_000, min: 1, max: 600_000 }),
  /** How old an isolate's copy of the routing state may get before it asks the controller again. */
  FLAG_TTL_MS: intVar({ default: 1_000, min: 0, max: 3_600_000 }),
  /** `standby`: a failed attempt is tried once more on a healthy standby; `off`: never. */
  FAILOVER: enumVar(["standby", "off"], { default: "standby" }),
  /** How often an isolate reports its outcomes (at most). */
  REPORT_INTERVAL_MS: intVar({ default: 1_000, min: 0, max: 3_600_000 }),
  /** Longest `text` the edge accepts. */
  MAX_TEXT_CHARS: intVar({ default: DEFAULT_MAX_TEXT_CHARS, min: 1, max: 1_000_000 }),
  /** `on`: read each prediction answer's labels for the drift rule (docs/rollback-policy.md); `off`: never read answers (drift is then not measured). */
  LABEL_TELEMETRY: enumVar(["on", "off"], { default: "on" }),
  /** Most answers per second and colour an isolate reads the labels of; the rest pass through unread (the drift rule needs a sample, not every answer). */
  LABEL_MAX_PER_SECOND: intVar({ default: 200, min: 1, max: 1_000_000 }),
  /** Paths besides the predictions passed on to the active colour: `/exact` or `/prefix/*`, comma-separated. */
  PROXY_PATHS: listVar({ problem: proxyPathProblem }),
  /** Admin bearer token; unset: the admin API and previews are closed. */
  ADMIN_TOKEN: secretVar(),
  /** Sent to origins as x-origin-token. */
  ORIGIN_TOKEN: secretVar(),
};
export type RouterVars = EnvValues<typeof ROUTER_VARS>;

/** The controller's own var besides the policy: where alerts go (a Slack-compatible webhook; its URL is its token). */
export const ALERT_VARS = {
  ALERT_WEBHOOK_URL: secretVar(),
};

/** The Worker's secrets: their values are never shown, only whether they are set. */
export const SECRET_VARS = ["ADMIN_TOKEN", "ORIGIN_TOKEN", "ALERT_WEBHOOK_URL"] as const;

/** Every var the Worker reads, by name (router, policy, alerts, shadow traffic). */
export const WORKER_VARS = { ...ROUTER_VARS, ...POLICY_VARS, ...ALERT_VARS, ...SHADOW_VARS };
/**
 * The Worker's vars as its env holds them: all optional strings. The Env
 * that `wrangler types` generates lists only what wrangler.toml sets; the
 * code reads the rest through this type.
 */
export type WorkerVars = EnvStrings<typeof WORKER_VARS>;

/** What the ConfigError of a bad router var says it was reading. */
export const ROUTER_WHAT = "Worker configuration";

/** Reads the router's vars; throws ConfigError naming each bad one (its message holds no value). */
export function parseRouterVars(env: object): RouterVars {
  return parseEnv(ROUTER_WHAT, ROUTER_VARS, env);
}

/** One bad variable. */
export interface EnvProblem {
  /** The variable's name, e.g. "BAKE_SECONDS". */
  variable: string;
  /** `VAR: what is wrong (got "…")`, for people; a secret's value is hidden. */
  message: string;
}

/** What checkWorkerEnv found: no problems means the Worker will parse this env. */
export interface EnvCheck {
  problems: EnvProblem[];
}

/** Checks every router and rollout-policy var of `vars` with the Worker's own parsers. */
export function checkWorkerEnv(vars: object): EnvCheck {
  const problems: EnvProblem[] = [];
  for (const parse of [parseRouterVars, policyFromEnv]) {
    try {
      parse(vars);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems.map((p, i) => ({ variable: p.variable, message: err.issues[i]! })));
    }
  }
  const shadow = shadowEnvProblems(vars);
  if (shadow !== null) problems.push(...shadow.problems.map((p, i) => ({ variable: p.variable, message: shadow.issues[i]! })));
  return { problems };
}
