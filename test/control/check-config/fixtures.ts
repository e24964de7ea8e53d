/**
 * A wrangler.toml for check-config tests, written to a temporary directory:
 * the router's bindings and a production environment whose vars, KV id and
 * origins a test changes one at a time; plus a secrets file.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

/** A KV namespace id in the shape `wrangler kv namespace create` prints (not a placeholder). */
export const REAL_KV_ID = "3f9c2a7d5e1b4c8a9d0e6f2b7a1c5d3e";
/** Tokens long and random enough to pass (never sent anywhere). */
export const GOOD_SECRETS = { ADMIN_TOKEN: "a".repeat(8) + "0123456789abcdef0123456789abcdef", ORIGIN_TOKEN: "b".repeat(8) + "fedcba9876543210fedcba9876543210" };

/** Production vars that parse and point at origins Cloudflare could reach. */
export const GOOD_PRODUCTION_VARS: Record<string, string> = {
  DEPLOYMENT_NAME: "production",
  BLUE_ORIGINS: "https://blue.models.bluegreen-edge.dev",
  GREEN_ORIGINS: "https://green.models.bluegreen-edge.dev",
  BAKE_SECONDS: "120",
};

export interface FixtureOptions {
  productionVars?: Record<string, string>;
  productionKvId?: string;
  /** Leave the production Durable Object binding out (bindings are not inherited). */
  noProductionDurableObject?: boolean;
}

const toml = (vars: Record<string, string>) => Object.entries(vars).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join("\n");

/** The text of a wrangler.toml with a top level (local) and an [env.production]. */
export function wranglerToml(o: FixtureOptions = {}): string {
  return `name = "router"
main = "index.ts"
compatibility_date = "2026-04-01"

[[kv_namespaces]]
binding = "ROUTING"
id = "00000000000000000000000000000000"

[[durable_objects.bindings]]
name = "DEPLOYMENTS"
class_name = "DeploymentController"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["DeploymentController"]

[vars]
DEPLOYMENT_NAME = "default"
BLUE_ORIGINS = "http://127.0.0.1:8001"
GREEN_ORIGINS = "http://127.0.0.1:8002"
BAKE_SECONDS = "30"

[env.production]
name = "router-production"

[[env.production.kv_namespaces]]
binding = "ROUTING"
id = "${o.productionKvId ?? REAL_KV_ID}"
${
  o.noProductionDurableObject
    ? ""
    : `
[[env.production.durable_objects.bindings]]
name = "DEPLOYMENTS"
class_name = "DeploymentController"
`
}
[env.production.vars]
${toml(o.productionVars ?? GOOD_PRODUCTION_VARS)}
`;
}

export interface Fixture {
  dir: string;
  /** Writes `wrangler.toml` (and returns its path). */
  config(o?: FixtureOptions): Promise<string>;
  /** Writes a KEY=value secrets file named `name`. */
  secrets(name: string, values: Record<string, string>): Promise<string>;
  remove(): Promise<void>;
}

/** A temporary directory to write configs and secrets files in. */
export async function fixtureDir(): Promise<Fixture> {
  const dir = await mkdtemp(path.join(tmpdir(), "bluegreen-check-config-"));
  return {
    dir,
    async config(o) {
      const file = path.join(dir, "wrangler.toml");
      await writeFile(file, wranglerToml(o));
      return file;
    },
    async secrets(name, values) {
      const file = path.join(dir, name);
      await writeFile(file, Object.entries(values).map(([k, v]) => `${k}=${v}\n`).join(""));
      return file;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
