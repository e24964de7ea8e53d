/**
 * `npm start`'s check of the router's vars, before anything starts: the vars
 * the Worker would get (wrangler.toml's, the pools, `--var`) go through the
 * Worker's own parsers (contract/worker-env.ts); a bad one is a usage error
 * (exit 2) that names each var, its value and where it came from. Before
 * this, `BAKE_SECONDS=abc` started a stack whose automatic rollback was off.
 */
import { checkWorkerEnv } from "../../../contract/worker-env.js";
import { UsageError } from "../errors.js";
import { routerVars } from "./local-router.js";

/** Throws UsageError when wrangler.toml cannot be read or a router var would not parse. */
export function assertRouterVars(origins: { blue: string[]; green: string[] }, overrides: Record<string, string>): void {
  let vars: Record<string, string>;
  try {
    vars = routerVars({ blueOrigins: origins.blue, greenOrigins: origins.green, vars: overrides });
  } catch (err) {
    throw new UsageError(`wrangler cannot read wrangler.toml.`, {
      reason: (err as Error).message,
      hint: "fix wrangler.toml; npm run check-config shows what wrangler makes of it",
    });
  }
  const { problems } = checkWorkerEnv(vars);
  if (problems.length === 0) return;
  const names = problems.map((p) => p.variable);
  const from = (v: string) => (v in overrides ? "--var" : "wrangler.toml [vars]");
  const them = names.length > 1 ? "them" : "it";
  throw new UsageError(`Bad router var${names.length > 1 ? "s" : ""} ${names.join(", ")}: the router would not run with ${them}.`, {
    reason: problems.map((p) => `${p.message}, from ${from(p.variable)}`).join("\n       "),
    hint: `fix ${them} in ${[...new Set(names.map(from))].join(" or ")}; npm run check-config checks every var without starting anything`,
  });
}
