/**
 * The DeploymentController's view of its env vars: the rollout policy and
 * the alert webhook. A bad policy var does not stop the controller: what
 * must keep running (probes, windows, status, manual rollback) runs on the
 * vars that parse plus defaults for the bad ones, while what the policy
 * decides (automatic rollback, the bake's end, a flip's bake length) waits
 * until the vars are fixed (docs/rollback-policy.md "Policy variables").
 */
import { policyFromEnv, type RolloutPolicy } from "../../../contract/policy.js";
import type { WorkerVars } from "../../../contract/worker-env.js";
import { routerConfig } from "../config.js";
import { MIN_FORWARD_INTERVAL_MS } from "./relay-registry.js";
import { policyWithFallbacks, type FallbackPolicy } from "./rollout-policy.js";

/** Reads one controller's env, parsing the policy once per env object. */
export class ControllerConfig {
  readonly #env: () => Env;
  #cache: { env: Env; value: FallbackPolicy } | null = null;

  constructor(env: () => Env) {
    this.#env = env;
  }

  /** The policy to run with, and the bad vars (empty when none) that fell back to their defaults. */
  policy(): FallbackPolicy {
    const env = this.#env();
    if (this.#cache?.env !== env) this.#cache = { env, value: policyWithFallbacks(env) };
    return this.#cache.value;
  }

  /** The policy as configured; throws ConfigError naming every bad var. */
  strictPolicy(): RolloutPolicy {
    const { policy, issues } = this.policy();
    // Parsed again only to throw: the error of the env as it is.
    if (issues.length > 0) return policyFromEnv(this.#env());
    return policy;
  }

  /** The bad policy vars, one line each (empty when the policy parses). */
  issues(): string[] {
    return this.policy().issues;
  }

  /** Time between health probes (its default when HEALTH_INTERVAL_SECONDS is bad). */
  intervalMs(): number {
    return this.policy().policy.healthIntervalSeconds * 1000;
  }

  /** REPORT_INTERVAL_MS: the relays forward no more often than isolates report (its default while a router var is bad). */
  reportIntervalMs(): number {
    try {
      return routerConfig(this.#env()).reportIntervalMs;
    } catch {
      return MIN_FORWARD_INTERVAL_MS;
    }
  }

  /** ALERT_WEBHOOK_URL, or null when none is set. */
  webhookUrl(): string | null {
    const url = ((this.#env() as WorkerVars).ALERT_WEBHOOK_URL ?? "").trim();
    return url === "" ? null : url;
  }
}
