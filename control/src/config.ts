/**
 * CLI configuration (docs/cli.md): each setting comes from its flag, else the
 * environment, else `.dev.vars` in the working directory, else the local-stack
 * default; every value is validated with zod and remembers where it came from,
 * so an error can say which variable to fix.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { z } from "zod";
import { UsageError } from "./errors.js";

/** The settings, their variable names, their flags and their local defaults. */
export const SETTINGS = {
  routerUrl: { env: "ROUTER_URL", flag: "--router-url", default: "http://127.0.0.1:8787", secret: false },
  adminToken: { env: "ADMIN_TOKEN", flag: "--admin-token", default: undefined, secret: true },
  blueUrl: { env: "BLUE_URL", flag: "--blue-url", default: "http://127.0.0.1:8001", secret: false },
  greenUrl: { env: "GREEN_URL", flag: "--green-url", default: "http://127.0.0.1:8002", secret: false },
  originToken: { env: "ORIGIN_TOKEN", flag: "--origin-token", default: undefined, secret: true },
} as const;
export type SettingKey = keyof typeof SETTINGS;
export type Source = "flag" | "env" | ".dev.vars" | "default";

/** Name of the local secrets file that `npm start` writes. */
export const DEV_VARS_FILE = ".dev.vars";

const HttpUrl = z
  .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
  .transform((u) => u.replace(/\/+$/, ""));
const Token = z
  .string()
  .min(1, { error: "must not be empty" })
  .regex(/^\S+$/, { error: "must not contain spaces" });

const ConfigSchema = z.object({
  routerUrl: HttpUrl,
  adminToken: Token.optional(),
  blueUrl: HttpUrl,
  greenUrl: HttpUrl,
  originToken: Token.optional(),
});
export type Config = z.infer<typeof ConfigSchema> & {
  /** Where each setting came from. */
  sources: Record<SettingKey, Source | undefined>;
};

export interface ConfigInputs {
  /** Values of the global flags (commander option values). */
  flags: Partial<Record<SettingKey, string | undefined>>;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Reads `.dev.vars` (KEY=value lines) from `cwd`; an absent file is empty. */
export function readDevVars(cwd: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(join(cwd, DEV_VARS_FILE), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new UsageError(`Cannot read ${DEV_VARS_FILE} in ${cwd}.`, {
      reason: (err as Error).message,
      hint: `fix the file's permissions or remove it and pass the settings as environment variables`,
    });
  }
  return parseEnv(text) as Record<string, string>;
}

/** Resolves flags > env > .dev.vars > defaults and validates the result. */
export function loadConfig(inputs: ConfigInputs): Config {
  const devVars = readDevVars(inputs.cwd);
  const raw: Record<string, string | undefined> = {};
  const sources = {} as Record<SettingKey, Source | undefined>;
  for (const key of Object.keys(SETTINGS) as SettingKey[]) {
    const s = SETTINGS[key];
    const candidates: Array<[Source, string | undefined]> = [
      ["flag", inputs.flags[key]],
      ["env", inputs.env[s.env]],
      [".dev.vars", devVars[s.env]],
      ["default", s.default],
    ];
    // An empty variable counts as unset, as shells and CI often export them empty.
    const hit = candidates.find(([, v]) => v !== undefined && v.trim() !== "");
    raw[key] = hit?.[1]?.trim();
    sources[key] = hit?.[0];
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path[0] as SettingKey;
    const s = SETTINGS[key];
    const shown = s.secret ? "(hidden)" : JSON.stringify(raw[key]);
    throw new UsageError(`${s.env} ${issue.message}: got ${shown} from ${describeSource(sources[key])}.`, {
      reason: `the CLI reads ${s.env} from ${s.flag}, then the environment, then ${DEV_VARS_FILE}`,
      hint: `set ${s.env} (or pass ${s.flag})${s.default ? `, e.g. ${s.default}` : ""}`,
    });
  }
  return { ...parsed.data, sources };
}

function describeSource(source: Source | undefined): string {
  switch (source) {
    case "flag":
      return "its flag";
    case "env":
      return "the environment";
    case ".dev.vars":
      return DEV_VARS_FILE;
    default:
      return "the default";
  }
}

/** The admin token, or a usage error that says how to provide it. */
export function requireAdminToken(config: Config, needFor = "the admin API"): string {
  if (config.adminToken) return config.adminToken;
  throw new UsageError(`No admin token: ${needFor} needs ADMIN_TOKEN.`, {
    reason: `ADMIN_TOKEN is not set by --admin-token, the environment or ${DEV_VARS_FILE} in the working directory`,
    hint: `set ADMIN_TOKEN to the router's admin token (export ADMIN_TOKEN=…, or run from the directory whose ${DEV_VARS_FILE} npm start created)`,
  });
}

/** Every secret value in the config, for redaction of anything printed. */
export function secretsOf(config: Pick<Config, "adminToken" | "originToken">): string[] {
  return [config.adminToken, config.originToken].filter((s): s is string => !!s);
}
