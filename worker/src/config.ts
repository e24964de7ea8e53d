/**
 * The router's configuration: its vars and secrets (declared, with their
 * defaults, in contract/worker-env.ts), parsed once per isolate and cached
 * by env identity. A bad value is a deployment bug, answered as a logged
 * 500 `misconfigured` (never a 400). The controller's policy vars are read
 * by controller/rollout-policy.ts.
 */
import type { Color } from "../../contract/colors.js";
import { ConfigError } from "../../contract/env.js";
import { shadowRouterFromEnv, type ShadowRouterSettings } from "../../contract/shadow.js";
import { parseRouterVars } from "../../contract/worker-env.js";
import { compileProxyPaths, type ProxyPaths } from "./proxy-paths.js";

export { ConfigError };

/** What the router (isolate side) needs. */
export interface RouterConfig {
  deployment: string;
  origins: Record<Color, string[]>;
  originTimeoutMs: number;
  flagTtlMs: number;
  failover: "standby" | "off";
  reportIntervalMs: number;
  maxTextChars: number;
  /** Read each 2xx prediction answer's labels into the telemetry (LABEL_TELEMETRY=on). */
  labelTelemetry: boolean;
  /** Most answers per second and colour whose labels an isolate reads (LABEL_MAX_PER_SECOND). */
  labelMaxPerSecond: number;
  /** Paths besides the predictions passed on to the active colour (proxy-paths.ts). */
  proxyPaths: ProxyPaths;
  /** undefined: the admin API and preview are closed (fail closed). */
  adminToken: string | undefined;
  originToken: string | undefined;
  /** The shadow mirror's cap and timeout (SHADOW_MAX_IN_FLIGHT, SHADOW_TIMEOUT_MS). */
  shadow: ShadowRouterSettings;
}

const routerCache = new WeakMap<object, RouterConfig>();

/** Parses (once per env object) the router's configuration; throws ConfigError naming the bad vars, never their values. */
export function routerConfig(env: object): RouterConfig {
  const cached = routerCache.get(env);
  if (cached) return cached;
  const v = parseRouterVars(env);
  const config: RouterConfig = {
    deployment: v.DEPLOYMENT_NAME,
    origins: { blue: v.BLUE_ORIGINS, green: v.GREEN_ORIGINS },
    originTimeoutMs: v.ORIGIN_TIMEOUT_MS,
    flagTtlMs: v.FLAG_TTL_MS,
    failover: v.FAILOVER,
    reportIntervalMs: v.REPORT_INTERVAL_MS,
    maxTextChars: v.MAX_TEXT_CHARS,
    labelTelemetry: v.LABEL_TELEMETRY === "on",
    labelMaxPerSecond: v.LABEL_MAX_PER_SECOND,
    proxyPaths: compileProxyPaths(v.PROXY_PATHS),
    adminToken: v.ADMIN_TOKEN,
    originToken: v.ORIGIN_TOKEN,
    shadow: shadowRouterFromEnv(env),
  };
  routerCache.set(env, config);
  return config;
}
