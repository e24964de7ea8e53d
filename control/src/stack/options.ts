/**
 * Options of the local stack (`npm start`, docs/architecture.md "Env vars"):
 * each one from its flag, else its environment variable, else the default;
 * validated with zod, and a bad value is a usage error that names the flag,
 * the variable and where the value came from.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { readBoolean } from "../../../contract/env.js";
import { UsageError } from "../errors.js";

const port = z.coerce
  .number({ error: "must be a port number" })
  .int({ error: "must be a whole number" })
  .min(1, { error: "must be 1..65535" })
  .max(65_535, { error: "must be 1..65535" });
/** A model version directory name, as the model server accepts it. */
const version = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: "must be a version like v1 (letters, digits, . _ -)" });
const rate = z.coerce.number({ error: "must be a number" }).min(0, { error: "must be 0..1" }).max(1, { error: "must be 0..1" });
const latency = z.coerce.number({ error: "must be a number" }).int({ error: "must be whole milliseconds" }).min(0).max(600_000);
/** A flag's `true`, or an env var read as every boolean var is (contract/env.ts: true/false/1/0, any case). */
const bool = z.union([z.boolean(), z.string()]).transform((v, ctx) => {
  const value = typeof v === "boolean" ? v : readBoolean(v);
  if (value === undefined) ctx.issues.push({ code: "custom", message: "must be true, false, 1 or 0", input: v });
  return value ?? false;
});
const host = z.string().regex(/^[0-9A-Za-z.:-]+$/, { error: "must be an IP address or host name" });
const origins = z
  .string()
  .transform((s) => s.split(",").map((p) => p.trim()).filter((p) => p !== ""))
  .pipe(z.array(z.url({ protocol: /^https?$/, error: "must be http(s) URLs" }).transform((u) => u.replace(/\/+$/, ""))).min(1, { error: "needs at least one URL" }));
const routerVar = z.string().regex(/^[A-Z][A-Z0-9_]*=.*$/s, { error: "must be KEY=VALUE with an upper-case KEY" });

/** Every option: its flag, its environment variable, its schema, its default and its help. */
export const STACK_OPTIONS = {
  bluePort: { flag: "blue-port", env: "BLUE_PORT", type: "string", schema: port, default: "8001", help: "blue model server port" },
  greenPort: { flag: "green-port", env: "GREEN_PORT", type: "string", schema: port, default: "8002", help: "green model server port" },
  routerPort: { flag: "router-port", env: "ROUTER_PORT", type: "string", schema: port, default: "8787", help: "router port" },
  routerHost: { flag: "router-host", env: "ROUTER_HOST", type: "string", schema: host, default: "127.0.0.1", help: "router listen address (0.0.0.0 in a container)" },
  blueVersion: { flag: "blue-version", env: "BLUE_VERSION", type: "string", schema: version, default: "v1", help: "model version blue serves" },
  greenVersion: { flag: "green-version", env: "GREEN_VERSION", type: "string", schema: version, default: "v2", help: "model version green serves" },
  faultControl: { flag: "fault-control", env: "FAULT_CONTROL", type: "boolean", schema: bool, default: false, help: "mount PUT /fault on both model servers, for drills" },
  blueFaultRate: { flag: "blue-fault-rate", env: "BLUE_FAULT_RATE", type: "string", schema: rate, default: "0", help: "share of blue's predictions answering 500" },
  greenFaultRate: { flag: "green-fault-rate", env: "GREEN_FAULT_RATE", type: "string", schema: rate, default: "0", help: "share of green's predictions answering 500" },
  blueFaultLatencyMs: { flag: "blue-fault-latency-ms", env: "BLUE_FAULT_LATENCY_MS", type: "string", schema: latency, default: "0", help: "delay added to blue's predictions" },
  greenFaultLatencyMs: { flag: "green-fault-latency-ms", env: "GREEN_FAULT_LATENCY_MS", type: "string", schema: latency, default: "0", help: "delay added to green's predictions" },
  stateDir: { flag: "state-dir", env: "BLUEGREEN_STATE_DIR", type: "string", schema: z.string().min(1), default: ".bluegreen", help: "where KV and the Durable Object are kept" },
  devVars: { flag: "dev-vars", env: "BLUEGREEN_DEV_VARS", type: "string", schema: z.string().min(1), default: ".dev.vars", help: "tokens file (created with random tokens when missing)" },
  reset: { flag: "reset", env: "BLUEGREEN_RESET", type: "boolean", schema: bool, default: false, help: "wipe the state dir first (routing state and history)" },
  logRequests: { flag: "log-requests", env: "LOG_REQUESTS", type: "boolean", schema: bool, default: false, help: "also print the model servers' per-request log lines" },
  routerOnly: { flag: "router-only", env: "ROUTER_ONLY", type: "boolean", schema: bool, default: false, help: "start only the router, in front of --blue-origins/--green-origins" },
  blueOrigins: { flag: "blue-origins", env: "BLUE_ORIGINS", type: "string", schema: origins.optional(), default: undefined, help: "blue's pool (comma-separated URLs), with --router-only" },
  greenOrigins: { flag: "green-origins", env: "GREEN_ORIGINS", type: "string", schema: origins.optional(), default: undefined, help: "green's pool, with --router-only" },
} as const;
type OptionKey = keyof typeof STACK_OPTIONS;

/** The parsed options. */
export interface StackOptions {
  bluePort: number;
  greenPort: number;
  routerPort: number;
  routerHost: string;
  blueVersion: string;
  greenVersion: string;
  faultControl: boolean;
  blueFaultRate: number;
  greenFaultRate: number;
  blueFaultLatencyMs: number;
  greenFaultLatencyMs: number;
  stateDir: string;
  devVars: string;
  reset: boolean;
  logRequests: boolean;
  routerOnly: boolean;
  blueOrigins: string[] | undefined;
  greenOrigins: string[] | undefined;
  /** Router vars that win over wrangler.toml's (--var KEY=VALUE). */
  vars: Record<string, string>;
  help: boolean;
}

/** Usage text for --help. */
export function usage(): string {
  const rows = Object.values(STACK_OPTIONS).map((o) => {
    const left = `  --${o.flag}${o.type === "string" ? " <value>" : ""}`;
    const def = o.default !== undefined && o.default !== false ? ` (default ${o.default})` : "";
    return `${left.padEnd(37)}${o.help}${def}; env ${o.env}`;
  });
  return [
    "npm start [-- options]   blue and green model servers and the router in local workerd, started and stopped together",
    "",
    ...rows,
    `${"  --var KEY=VALUE".padEnd(37)}a router var over wrangler.toml's, e.g. --var BAKE_SECONDS=30 (repeatable; every var is checked with the Worker's parsers before anything starts)`,
    `${"  --help".padEnd(37)}this text`,
    "",
    "Tokens: ADMIN_TOKEN and ORIGIN_TOKEN from the environment, else from the --dev-vars file. ALERT_WEBHOOK_URL from the environment, else wrangler's .dev.vars.",
  ].join("\n");
}

/** Parses argv (without node and script) and env into options; throws UsageError on anything bad. */
export function parseStackOptions(argv: string[], env: NodeJS.ProcessEnv): StackOptions {
  const parseOptions: Record<string, { type: "string" | "boolean"; multiple?: boolean }> = { help: { type: "boolean" }, var: { type: "string", multiple: true } };
  for (const o of Object.values(STACK_OPTIONS)) parseOptions[o.flag] = { type: o.type };
  let values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: parseOptions, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError(`Bad command line: ${(err as Error).message}.`, {
      reason: "npm start takes only the flags listed by --help",
      hint: "run `npm start -- --help` (note the `--` before the flags)",
    });
  }
  const out: Record<string, unknown> = {};
  for (const [key, o] of Object.entries(STACK_OPTIONS) as Array<[OptionKey, (typeof STACK_OPTIONS)[OptionKey]]>) {
    const fromEnv = env[o.env]?.trim() === "" ? undefined : env[o.env];
    const [raw, source] =
      values[o.flag] !== undefined ? [values[o.flag], `--${o.flag}`] : fromEnv !== undefined ? [fromEnv, `env ${o.env}`] : [o.default, "the default"];
    const parsed = (o.schema as z.ZodType).safeParse(raw);
    if (!parsed.success) {
      throw new UsageError(`--${o.flag} ${parsed.error.issues[0]?.message ?? "is invalid"}: got ${JSON.stringify(raw)} from ${source}.`, {
        reason: `npm start reads it from --${o.flag}, else the environment variable ${o.env}`,
        hint: `pass a valid --${o.flag} (see npm start -- --help)`,
      });
    }
    out[key] = parsed.data;
  }
  const vars: Record<string, string> = {};
  for (const item of (values.var as string[] | undefined) ?? []) {
    if (!routerVar.safeParse(item).success) {
      throw new UsageError(`--var ${JSON.stringify(item)} is not KEY=VALUE.`, {
        reason: "--var sets one router var (wrangler.toml [vars]) for this run",
        hint: "write it as --var BAKE_SECONDS=30",
      });
    }
    const at = item.indexOf("=");
    vars[item.slice(0, at)] = item.slice(at + 1);
  }
  const options = { ...(out as Omit<StackOptions, "vars" | "help">), vars, help: values.help === true };
  checkConsistency(options);
  return options;
}

/** Rules across options: distinct ports, origins exactly in router-only mode. */
function checkConsistency(o: StackOptions): void {
  if (o.routerOnly) {
    const missing = (["blueOrigins", "greenOrigins"] as const).filter((k) => o[k] === undefined);
    if (missing.length > 0) {
      const flags = missing.map((k) => `--${STACK_OPTIONS[k].flag}`).join(" and ");
      throw new UsageError(`--router-only needs ${flags}.`, {
        reason: "without model servers of its own the router must be told where blue and green run",
        hint: "pass e.g. --blue-origins http://blue:8000 --green-origins http://green:8000",
      });
    }
    return;
  }
  for (const k of ["blueOrigins", "greenOrigins"] as const) {
    if (o[k] !== undefined) {
      throw new UsageError(`--${STACK_OPTIONS[k].flag} is only for --router-only.`, {
        reason: `the full stack points the router at the model servers it starts (env ${STACK_OPTIONS[k].env} counts too)`,
        hint: `add --router-only, or unset ${STACK_OPTIONS[k].env} and drop the flag`,
      });
    }
  }
  const ports: Array<[string, number]> = [
    ["--blue-port", o.bluePort],
    ["--green-port", o.greenPort],
    ["--router-port", o.routerPort],
  ];
  for (let i = 0; i < ports.length; i++) {
    for (let j = i + 1; j < ports.length; j++) {
      if (ports[i]![1] === ports[j]![1]) {
        throw new UsageError(`${ports[i]![0]} and ${ports[j]![0]} are both ${ports[i]![1]}.`, {
          reason: "each part of the stack needs its own port",
          hint: `pass a different ${ports[j]![0]}`,
        });
      }
    }
  }
}
