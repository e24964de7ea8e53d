/**
 * The router's configuration: its vars of wrangler.toml and the secrets,
 * parsed with zod once per isolate and cached by env identity. A bad value
 * is a deployment bug, answered as a logged 500 (never a 400). The
 * controller's policy vars are parsed by controller/rollout-policy.ts.
 */
import { z } from "zod";
import { DEFAULT_MAX_TEXT_CHARS } from "../../contract/prediction.js";
import { ProxyPathsVar, type ProxyPaths } from "./proxy-paths.js";
import type { Color } from "./telemetry-types.js";

const intFromString = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((s) => (s === undefined || s.trim() === "" ? String(fallback) : s.trim()))
    .pipe(z.string().regex(/^-?\d+$/, "must be an integer").transform(Number))
    .pipe(z.number().int().min(min).max(max));

const originUrl = z
  .string()
  .trim()
  .pipe(z.url({ protocol: /^https?$/ }))
  .refine((u) => {
    const url = new URL(u);
    return url.username === "" && url.password === "" && url.search === "" && url.hash === "";
  }, "origin URLs carry no credentials, query or fragment")
  .transform((u) => u.replace(/\/+$/, ""));

/** Comma-separated origin URLs of one colour's pool; at least one. */
const originList = z
  .string()
  .transform((s) => s.split(",").map((p) => p.trim()).filter((p) => p !== ""))
  .pipe(z.array(originUrl).min(1, "a pool needs at least one origin URL"));

const secret = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s === "" ? undefined : s));

const RouterConfigSchema = z.object({
  DEPLOYMENT_NAME: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, "1..63 of [A-Za-z0-9_-]"),
  BLUE_ORIGINS: originList,
  GREEN_ORIGINS: originList,
  ORIGIN_TIMEOUT_MS: intFromString(30_000, 1, 600_000),
  FLAG_TTL_MS: intFromString(1_000, 0, 3_600_000),
  FAILOVER: z
    .string()
    .optional()
    .transform((s) => (s === undefined || s.trim() === "" ? "standby" : s.trim()))
    .pipe(z.enum(["standby", "off"])),
  REPORT_INTERVAL_MS: intFromString(1_000, 0, 3_600_000),
  MAX_TEXT_CHARS: intFromString(DEFAULT_MAX_TEXT_CHARS, 1, 1_000_000),
  PROXY_PATHS: ProxyPathsVar,
  ADMIN_TOKEN: secret,
  ORIGIN_TOKEN: secret,
});

/** What the router (isolate side) needs. */
export interface RouterConfig {
  deployment: string;
  origins: Record<Color, string[]>;
  originTimeoutMs: number;
  flagTtlMs: number;
  failover: "standby" | "off";
  reportIntervalMs: number;
  maxTextChars: number;
  /** Paths besides the predictions passed on to the active colour (proxy-paths.ts). */
  proxyPaths: ProxyPaths;
  /** undefined: the admin API and preview are closed (fail closed). */
  adminToken: string | undefined;
  originToken: string | undefined;
}

/** Thrown for an env that does not parse; the message names the vars, never their values. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

type EnvLike = Partial<Record<keyof Env, unknown>>;

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(env)"}: ${i.message}`).join("; ");
}

const routerCache = new WeakMap<object, RouterConfig>();

/** Parses (once per env object) the router's configuration. */
export function routerConfig(env: EnvLike): RouterConfig {
  const cached = routerCache.get(env);
  if (cached) return cached;
  const parsed = RouterConfigSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`invalid Worker configuration: ${describe(parsed.error)}`);
  const v = parsed.data;
  const config: RouterConfig = {
    deployment: v.DEPLOYMENT_NAME,
    origins: { blue: v.BLUE_ORIGINS, green: v.GREEN_ORIGINS },
    originTimeoutMs: v.ORIGIN_TIMEOUT_MS,
    flagTtlMs: v.FLAG_TTL_MS,
    failover: v.FAILOVER,
    reportIntervalMs: v.REPORT_INTERVAL_MS,
    maxTextChars: v.MAX_TEXT_CHARS,
    proxyPaths: v.PROXY_PATHS,
    adminToken: v.ADMIN_TOKEN,
    originToken: v.ORIGIN_TOKEN,
  };
  routerCache.set(env, config);
  return config;
}
