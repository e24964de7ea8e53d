/**
 * How the admin API calls the DeploymentController and names what went
 * wrong: a controller that could not be reached (RPC or network failure) is
 * a 503 worth retrying; an exception thrown by the controller's own code
 * (`err.remote`) is a logged 500 that retrying will not fix; a bad var of
 * the deployed Worker is a 500 `misconfigured` that names it.
 */
import { ConfigError } from "../../../contract/env.js";
import { POLICY_WHAT, policyFromEnv } from "../../../contract/policy.js";
import { ROUTER_WHAT } from "../../../contract/worker-env.js";
import { HttpError } from "../errors.js";

/**
 * What the controller's own config errors say (ConfigError of the rollout
 * policy or of the router's vars); over RPC the class name arrives in front
 * of the message, which names the vars but not their values.
 */
const CONFIG_ERROR = new RegExp(`^(?:\\w+: )?invalid (?:${POLICY_WHAT}|${ROUTER_WHAT}): `);

/** The bad rollout-policy vars of `env`, one line each naming the var and its value (empty when the policy parses). */
export function policyIssues(env: object): string[] {
  try {
    policyFromEnv(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
}

/** The 500 for a Worker whose vars do not parse; `details` carries the issues (and whatever else helps). */
export function misconfigured(issues: string[], details: Record<string, unknown> = {}): HttpError {
  return new HttpError(
    "misconfigured",
    `the Worker's vars are invalid: ${issues.join("; ")}; fix them in wrangler.toml (or the dashboard) and deploy again`,
    { issues, ...details },
  );
}

/** Calls the controller; maps its failures to 503 (unreachable), 500 `misconfigured` or 500 `internal`, each logged. */
export async function callController<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const remote = typeof err === "object" && err !== null && (err as { remote?: unknown }).remote === true;
    const message = err instanceof Error ? err.message : String(err);
    if (!remote) {
      console.error(`admin: controller call ${what} failed: the controller could not be reached`, err);
      throw new HttpError("unavailable", "the deployment controller could not be reached; retry shortly");
    }
    console.error(`admin: controller call ${what} threw`, err);
    if (CONFIG_ERROR.test(message)) throw misconfigured(message.replace(CONFIG_ERROR, "").split("; "));
    throw new HttpError("internal", `the deployment controller failed on ${what}: ${message.slice(0, 300)}; see the Worker logs`);
  }
}
