/**
 * `bluegreen check-config`'s decisions, pure: given what wrangler.toml says
 * for one environment (its vars and bindings, resolved the way wrangler
 * resolves them) and, when known, the secrets, list one check per line —
 * ok, problem (the deploy would be broken), warning or info. The vars are
 * judged by the Worker's own parsers (contract/worker-env.ts); the rest is
 * what a deploy needs that the Worker cannot check for itself: real KV ids,
 * origins Cloudflare can reach, secrets set outside the file.
 */
import { isIP } from "node:net";
import { checkWorkerEnv, SECRET_VARS } from "../../../contract/worker-env.js";

/** The secrets the router needs; ALERT_WEBHOOK_URL is optional. */
export const REQUIRED_SECRETS = ["ADMIN_TOKEN", "ORIGIN_TOKEN"] as const;
/** Tokens shorter than this get a warning (32 random bytes as hex is 64). */
export const MIN_TOKEN_CHARS = 32;
/** The bindings worker/src uses: the KV copy of the routing state and the controller. */
export const KV_BINDING = "ROUTING";
export const DO_BINDING = { name: "DEPLOYMENTS", className: "DeploymentController" } as const;

export type CheckStatus = "ok" | "problem" | "warning" | "info";

/** One line of the report. */
export interface ConfigCheck {
  /** What was checked: "vars", "kv", "origins", "secrets", … */
  check: string;
  status: CheckStatus;
  message: string;
  /** The variable, binding or secret concerned, when there is one. */
  subject?: string;
}

/** What wrangler.toml (and the secrets source) says for one environment. */
export interface ConfigFacts {
  /** null: the top level, which `npm start` and `wrangler dev` run locally. */
  env: string | null;
  /** The Worker's name in that environment. */
  worker: string;
  /** The vars wrangler gives the Worker in that environment (its own [vars] only). */
  vars: Record<string, unknown>;
  kvNamespaces: Array<{ binding: string; id?: string | undefined }>;
  durableObjects: Array<{ name: string; class_name: string }>;
  /** Secret values from a file, or null when they cannot be read from here. */
  secrets: { source: string; values: Record<string, string> } | null;
}

/** `--env production` as typed, or nothing for the top level. */
export function envFlag(env: string | null): string {
  return env === null ? "" : ` --env ${env}`;
}

/** A KV id wrangler.toml ships as a placeholder: 32 times the same hex digit (0000…, 1111…, 2222…). */
export function isPlaceholderKvId(id: string): boolean {
  return /^([0-9a-f])\1{31}$/i.test(id);
}

const RESERVED_DOMAINS = /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$/i;

/** Why Cloudflare's network could not use this origin host, or null when it could. */
export function unusableOriginHost(hostname: string): string | null {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (RESERVED_DOMAINS.test(host)) return "a placeholder (reserved example domain)";
  const version = isIP(host);
  if (version === 4) {
    const [a, b] = host.split(".").map(Number) as [number, number];
    if (a === 127 || a === 0) return "a loopback address, unreachable from Cloudflare";
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254)) {
      return "a private address, unreachable from Cloudflare (use a public hostname or a Cloudflare Tunnel hostname)";
    }
  }
  if (version === 6 && (host === "::1" || /^f[cd]/.test(host) || host.startsWith("fe80"))) {
    return "a loopback or private address, unreachable from Cloudflare";
  }
  return null;
}

function varsAsStrings(vars: Record<string, unknown>, checks: ConfigCheck[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(vars)) {
    if (typeof value === "string") out[key] = value;
    else checks.push({ check: "vars", status: "problem", subject: key, message: `${key}: must be a string in [vars] (the Worker's parsers read strings); got ${typeof value}` });
  }
  return out;
}

function checkVars(f: ConfigFacts, checks: ConfigCheck[]): void {
  for (const secret of SECRET_VARS) {
    if (secret in f.vars) {
      checks.push({
        check: "vars",
        status: "problem",
        subject: secret,
        message: `${secret} is a secret but sits in [vars] (value hidden): it would be committed, and Cloudflare shows vars in plain text; remove it and run npx wrangler secret put ${secret}${envFlag(f.env)}`,
      });
    }
  }
  const vars = varsAsStrings(f.vars, checks);
  const { problems } = checkWorkerEnv(vars);
  for (const p of problems) checks.push({ check: "vars", status: "problem", subject: p.variable, message: p.message });
  if (problems.length === 0) {
    checks.push({ check: "vars", status: "ok", message: `${Object.keys(vars).length} vars parse with the Worker's own parsers (router config and rollout policy)` });
  }
}

function checkBindings(f: ConfigFacts, checks: ConfigCheck[]): void {
  const section = f.env === null ? "" : `env.${f.env}.`;
  const kv = f.kvNamespaces.find((k) => k.binding === KV_BINDING);
  if (!kv) {
    checks.push({ check: "binding", status: "problem", subject: KV_BINDING, message: `no KV binding ${KV_BINDING}: add [[${section}kv_namespaces]] binding = "${KV_BINDING}" (bindings are not inherited by environments)` });
  } else if (!kv.id || !/^[0-9a-f]{32}$/i.test(kv.id)) {
    checks.push({ check: "binding", status: "problem", subject: KV_BINDING, message: `${KV_BINDING} id ${JSON.stringify(kv.id ?? "")} is not a KV namespace id (32 hex digits)` });
  } else if (isPlaceholderKvId(kv.id)) {
    checks.push(
      f.env === null
        ? { check: "binding", status: "info", subject: KV_BINDING, message: `${KV_BINDING} id ${kv.id} is a placeholder: fine locally (KV is simulated); a deploy needs a real one` }
        : {
            check: "binding",
            status: "problem",
            subject: KV_BINDING,
            message: `${KV_BINDING} id ${kv.id} is a placeholder: run npx wrangler kv namespace create bluegreen-routing-${f.env} and put the id it prints in [[${section}kv_namespaces]] (docs/deploy.md, step 2)`,
          },
    );
  } else {
    checks.push({ check: "binding", status: "ok", subject: KV_BINDING, message: `${KV_BINDING} → namespace ${kv.id}` });
  }
  const dobj = f.durableObjects.find((d) => d.name === DO_BINDING.name);
  if (!dobj || dobj.class_name !== DO_BINDING.className) {
    checks.push({
      check: "binding",
      status: "problem",
      subject: DO_BINDING.name,
      message: `no Durable Object binding ${DO_BINDING.name} → class ${DO_BINDING.className}: add [[${section}durable_objects.bindings]] (bindings are not inherited by environments)`,
    });
  } else {
    checks.push({ check: "binding", status: "ok", subject: DO_BINDING.name, message: `${DO_BINDING.name} → ${DO_BINDING.className}` });
  }
}

function checkOrigins(f: ConfigFacts, checks: ConfigCheck[]): void {
  if (f.env === null) return; // Locally the model servers run on loopback, as they should.
  for (const key of ["BLUE_ORIGINS", "GREEN_ORIGINS"] as const) {
    const value = f.vars[key];
    if (typeof value !== "string") continue;
    let fine = true;
    for (const origin of value.split(",").map((s) => s.trim()).filter(Boolean)) {
      let url: URL;
      try {
        url = new URL(origin);
      } catch {
        continue; // The vars check has already said what is wrong with it.
      }
      const why = unusableOriginHost(url.hostname);
      if (why) {
        fine = false;
        checks.push({ check: "origins", status: "problem", subject: key, message: `${key}: ${origin} is ${why}` });
      } else if (url.protocol === "http:") {
        fine = false;
        checks.push({ check: "origins", status: "warning", subject: key, message: `${key}: ${origin} is plain http: the origin token and the texts cross the internet unencrypted; use https (or a Cloudflare Tunnel)` });
      }
    }
    if (fine) checks.push({ check: "origins", status: "ok", subject: key, message: `${key}: ${value}` });
  }
}

function checkSecrets(f: ConfigFacts, checks: ConfigCheck[]): void {
  const put = (name: string) => `npx wrangler secret put ${name}${envFlag(f.env)}`;
  if (f.secrets === null) {
    checks.push({
      check: "secrets",
      status: "warning",
      message: `${REQUIRED_SECRETS.join(", ")}: not checked — Cloudflare keeps them and check-config cannot read it; set each with ${put("<NAME>")} (npx wrangler secret list${envFlag(f.env)} shows which are set), or pass --secrets-from <file> to check a file`,
    });
    checks.push({ check: "secrets", status: "info", subject: "ALERT_WEBHOOK_URL", message: `ALERT_WEBHOOK_URL (optional): without it alerts are only logged; ${put("ALERT_WEBHOOK_URL")}` });
    return;
  }
  const { source, values } = f.secrets;
  const set = (name: string) => (values[name] ?? "").trim() !== "";
  for (const name of REQUIRED_SECRETS) {
    const value = values[name] ?? "";
    if (!set(name)) {
      checks.push(
        f.env === null
          ? { check: "secrets", status: "info", subject: name, message: `${name}: not in ${source}; npm start writes a random one there` }
          : { check: "secrets", status: "problem", subject: name, message: `${name}: missing from ${source}; the router needs it: ${put(name)}` },
      );
    } else if (/\s/.test(value.trim())) {
      checks.push({ check: "secrets", status: "problem", subject: name, message: `${name} in ${source} contains spaces (value hidden): tokens travel in HTTP headers and must be one word` });
    } else if (value.trim().length < MIN_TOKEN_CHARS) {
      checks.push({ check: "secrets", status: "warning", subject: name, message: `${name} in ${source} is shorter than ${MIN_TOKEN_CHARS} characters (value hidden): use a random one, e.g. openssl rand -hex 32` });
    } else {
      checks.push({ check: "secrets", status: "ok", subject: name, message: `${name}: set in ${source}` });
    }
  }
  if (!set("ALERT_WEBHOOK_URL")) {
    checks.push({ check: "secrets", status: "info", subject: "ALERT_WEBHOOK_URL", message: `ALERT_WEBHOOK_URL (optional): not in ${source}; alerts are only logged` });
  } else {
    let https = false;
    try {
      https = new URL(values.ALERT_WEBHOOK_URL!.trim()).protocol === "https:";
    } catch {
      // not a URL at all
    }
    checks.push(
      https
        ? { check: "secrets", status: "ok", subject: "ALERT_WEBHOOK_URL", message: `ALERT_WEBHOOK_URL: set in ${source}` }
        : { check: "secrets", status: "problem", subject: "ALERT_WEBHOOK_URL", message: `ALERT_WEBHOOK_URL in ${source} is not an https URL (value hidden): the controller posts alerts to it` },
    );
  }
}

/** Every check for one environment, in report order: vars, bindings, origins, secrets. */
export function assessConfig(f: ConfigFacts): ConfigCheck[] {
  const checks: ConfigCheck[] = [];
  checkVars(f, checks);
  checkBindings(f, checks);
  checkOrigins(f, checks);
  checkSecrets(f, checks);
  return checks;
}
