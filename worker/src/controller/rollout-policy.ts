/**
 * The rollout policy in the controller: its vars are declared, with their
 * defaults, in contract/policy.ts (where `npm start` and check-config read
 * them too); here is how the controller keeps running on a Worker whose
 * policy vars do not all parse.
 */
import { ConfigError } from "../../../contract/env.js";
import { DEFAULT_POLICY, POLICY_VARS, policyFromEnv, type PolicyVarName, type RolloutPolicy } from "../../../contract/policy.js";

/** What policyWithFallbacks answers: the policy to run with, and the bad vars it replaced (empty when all parse). */
export interface FallbackPolicy {
  policy: RolloutPolicy;
  /** `VAR: what is wrong (got "…")`, one line per bad var. */
  issues: string[];
}

/**
 * The policy for what must keep running on a misconfigured Worker (the
 * probe schedule, the windows, status): every var that parses on its own is
 * kept, each bad one falls back to its default, and `issues` names them
 * (the ConfigError's lines). Should the kept vars still conflict, all defaults.
 */
export function policyWithFallbacks(env: object): FallbackPolicy {
  const vars = env as Readonly<Record<string, unknown>>;
  try {
    return { policy: policyFromEnv(env), issues: [] };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const kept: Partial<Record<PolicyVarName, unknown>> = {};
    for (const key of Object.keys(POLICY_VARS) as PolicyVarName[]) {
      try {
        policyFromEnv({ [key]: vars[key] });
        kept[key] = vars[key];
      } catch {
        // This var is one of the issues; its default stands in.
      }
    }
    let policy = DEFAULT_POLICY;
    try {
      policy = policyFromEnv(kept);
    } catch {
      // The vars that parse alone conflict (slow window below the fast one): defaults throughout.
    }
    return { policy, issues: err.issues };
  }
}
