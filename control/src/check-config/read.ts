/**
 * Reads what `bluegreen check-config` judges: one environment of a wrangler
 * config, resolved by wrangler itself (`unstable_readConfig`), so vars and
 * bindings are exactly what `wrangler deploy --env X` would use — an
 * environment's vars are its own [env.X.vars] only, never the top level's —
 * and the secrets from a file when there is one to read.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { parseEnv } from "node:util";
import { z } from "zod";
import { UsageError } from "../errors.js";
import type { ConfigFacts } from "./assess.js";

export interface ReadOptions {
  /** The wrangler config file (wrangler.toml / wrangler.jsonc). */
  configPath: string;
  /** The environment, or null for the top level. */
  env: string | null;
  /** A KEY=value file with the secrets; by default `.dev.vars` beside the config for the top level, none otherwise. */
  secretsFrom?: string | undefined;
}

/** The part of wrangler's resolved config that check-config reads (wrangler's own type is not exported). */
const ResolvedConfig = z.looseObject({
  name: z.string().optional(),
  vars: z.record(z.string(), z.unknown()).default({}),
  kv_namespaces: z.array(z.looseObject({ binding: z.string(), id: z.string().optional() })).default([]),
  durable_objects: z.looseObject({ bindings: z.array(z.looseObject({ name: z.string(), class_name: z.string() })).default([]) }).default({ bindings: [] }),
});

/** What was read, with where it came from (for the report's first line). */
export interface ReadResult {
  facts: ConfigFacts;
  configPath: string;
}

/**
 * Runs `fn` with wrangler's logger at "error": wrangler prints informational
 * lines on stdout otherwise, which would break --json.
 */
function quietly<T>(fn: () => T): T {
  const before = process.env.WRANGLER_LOG;
  process.env.WRANGLER_LOG = "error";
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env.WRANGLER_LOG;
    else process.env.WRANGLER_LOG = before;
  }
}

function readSecrets(file: string, shownAs: string, required: boolean): ConfigFacts["secrets"] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" && !required) return { source: shownAs, values: {} };
    throw new UsageError(`Cannot read the secrets file ${shownAs}.`, {
      reason: (err as Error).message,
      hint: "pass --secrets-from with a readable KEY=value file, or leave it out",
    });
  }
  return { source: shownAs, values: parseEnv(text) as Record<string, string> };
}

/** Reads one environment of the wrangler config (and the secrets file); UsageError when it cannot. */
export async function readConfigFacts(opts: ReadOptions, cwd: string): Promise<ReadResult> {
  const configPath = path.resolve(cwd, opts.configPath);
  if (!existsSync(configPath)) {
    throw new UsageError(`No wrangler config at ${opts.configPath}.`, {
      reason: "check-config reads the router's wrangler.toml",
      hint: "run it from the repository root, or pass --config <path to wrangler.toml>",
    });
  }
  // Imported here: wrangler is large, and only this command needs it.
  const { unstable_readConfig } = await import("wrangler");
  let config: z.infer<typeof ResolvedConfig>;
  try {
    config = ResolvedConfig.parse(quietly(() => unstable_readConfig({ config: configPath, env: opts.env ?? undefined }, { hideWarnings: true })));
  } catch (err) {
    throw new UsageError(`wrangler cannot read ${opts.configPath}${opts.env ? ` for --env ${opts.env}` : ""}.`, {
      reason: (err as Error).message.replace(/\s+/g, " ").trim(),
      hint: opts.env ? `check the environment's name: it needs an [env.${opts.env}] section` : "fix the file so that wrangler can parse it",
    });
  }
  // Files below cwd relative to it, others absolute with the home directory as "~".
  const home = homedir();
  const shown = (p: string) => {
    const rel = path.relative(cwd, p);
    if (rel !== "" && !rel.startsWith("..")) return rel;
    return home && p.startsWith(home + path.sep) ? `~${p.slice(home.length)}` : p;
  };
  let secrets: ConfigFacts["secrets"] = null;
  if (opts.secretsFrom !== undefined) {
    const file = path.resolve(cwd, opts.secretsFrom);
    secrets = readSecrets(file, shown(file), true);
  } else if (opts.env === null) {
    const file = path.join(path.dirname(configPath), ".dev.vars");
    secrets = readSecrets(file, shown(file), false);
  }
  return {
    configPath: shown(configPath),
    facts: {
      env: opts.env,
      worker: config.name ?? "(unnamed)",
      vars: { ...config.vars },
      kvNamespaces: config.kv_namespaces.map((k) => ({ binding: k.binding, id: k.id })),
      durableObjects: config.durable_objects.bindings.map((d) => ({ name: d.name, class_name: d.class_name })),
      secrets,
    },
  };
}
