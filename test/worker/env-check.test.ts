// Covers contract/worker-env.ts's checkWorkerEnv inside workerd: it runs the
// Worker's own parsers (router vars, rollout policy) and lists one "VAR:
// what is wrong (got …)" line per bad var — router and policy vars alike,
// several at once, a required var that is missing — never a secret's value;
// the env this test pool runs the Worker with (wrangler.toml's vars) has no
// problem.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { checkWorkerEnv } from "../../contract/worker-env.js";

const good = { DEPLOYMENT_NAME: "prod", BLUE_ORIGINS: "https://b.example.com", GREEN_ORIGINS: "https://g.example.com" };

describe("checkWorkerEnv", () => {
  it("finds nothing wrong with a good env, nor with the one wrangler.toml gives the Worker here", () => {
    expect(checkWorkerEnv(good)).toEqual({ problems: [] });
    expect(checkWorkerEnv(env)).toEqual({ problems: [] });
  });

  it("names a bad policy var with its value", () => {
    expect(checkWorkerEnv({ ...good, BAKE_SECONDS: "abc" }).problems).toEqual([{ variable: "BAKE_SECONDS", message: 'BAKE_SECONDS: must be a whole number (got "abc")' }]);
  });

  it("lists every bad var, router and policy, one line each", () => {
    const { problems } = checkWorkerEnv({ ...good, FLAG_TTL_MS: "soon", GREEN_ORIGINS: "ftp://g, https://u:p@g2.example.com", GUARD_STABLE: "yes", MAX_ERROR_RATE: "5" });
    expect(problems.map((p) => p.variable)).toEqual(["GREEN_ORIGINS", "FLAG_TTL_MS", "MAX_ERROR_RATE", "GUARD_STABLE"]);
    expect(problems[0]!.message).toBe(
      'GREEN_ORIGINS: entry 1: must be an http:// or https:// URL, entry 2: origin URLs carry no credentials, query or fragment (got "ftp://g, https://u:p@g2.example.com")',
    );
    expect(problems[1]!.message).toBe('FLAG_TTL_MS: must be a whole number (got "soon")');
  });

  it("says a required var is missing", () => {
    expect(checkWorkerEnv({ DEPLOYMENT_NAME: "prod", BLUE_ORIGINS: "https://b.example.com" }).problems).toEqual([{ variable: "GREEN_ORIGINS", message: "GREEN_ORIGINS: required (not set)" }]);
  });

  it("keeps the policy's cross-variable rule", () => {
    expect(checkWorkerEnv({ ...good, FAST_WINDOW_SECONDS: "120", SLOW_WINDOW_SECONDS: "60" }).problems).toEqual([
      { variable: "SLOW_WINDOW_SECONDS", message: 'SLOW_WINDOW_SECONDS: must be at least FAST_WINDOW_SECONDS (120) (got "60")' },
    ]);
  });

  it("never shows a secret's value", () => {
    const out = JSON.stringify(checkWorkerEnv({ ...good, BAKE_SECONDS: "x", ADMIN_TOKEN: "admin secret value", ORIGIN_TOKEN: "origin-secret-value" }));
    expect(out).not.toMatch(/secret value|origin-secret-value/);
  });
});
