// Covers control/src/check-config/assess.ts, one rule per test: vars judged
// by the Worker's own parsers (one line per bad var, naming it), secrets in
// [vars], the KV and Durable Object bindings (placeholder ids a problem only
// for a deployed environment), origins Cloudflare cannot reach (reserved
// example domains, loopback, private ranges; plain http a warning), and the
// secrets: unknown for a remote environment without a file, missing ones a
// problem with a file, never a value in a message.
import { describe, expect, it } from "vitest";
import { assessConfig, type ConfigFacts, isPlaceholderKvId, unusableOriginHost } from "../../../control/src/check-config/assess.js";
import { GOOD_PRODUCTION_VARS, GOOD_SECRETS, REAL_KV_ID } from "./fixtures.js";

const facts = (over: Partial<ConfigFacts> = {}): ConfigFacts => ({
  env: "production",
  worker: "router-production",
  vars: { ...GOOD_PRODUCTION_VARS },
  kvNamespaces: [{ binding: "ROUTING", id: REAL_KV_ID }],
  durableObjects: [{ name: "DEPLOYMENTS", class_name: "DeploymentController" }],
  secrets: { source: "prod.secrets", values: { ...GOOD_SECRETS } },
  ...over,
});
const problems = (f: ConfigFacts) => assessConfig(f).filter((c) => c.status === "problem");

describe("assessConfig", () => {
  it("finds nothing wrong with a complete production config", () => {
    const checks = assessConfig(facts());
    expect(checks.filter((c) => c.status === "problem" || c.status === "warning")).toEqual([]);
    expect(checks.map((c) => c.check)).toEqual(["vars", "binding", "binding", "origins", "origins", "secrets", "secrets", "secrets"]);
  });

  it("names each bad var, with its value, using the Worker's parsers", () => {
    const p = problems(facts({ vars: { ...GOOD_PRODUCTION_VARS, BAKE_SECONDS: "abc", FAILOVER: "sometimes", MAX_ERROR_RATE: "5" } }));
    expect(p.map((c) => c.subject).sort()).toEqual(["BAKE_SECONDS", "FAILOVER", "MAX_ERROR_RATE"]);
    expect(p.find((c) => c.subject === "BAKE_SECONDS")!.message).toBe('BAKE_SECONDS: must be a whole number (got "abc")');
    expect(p.find((c) => c.subject === "MAX_ERROR_RATE")!.message).toMatch(/^MAX_ERROR_RATE: must be below 1/);
  });

  it("reports a required var that an environment forgot (vars are not inherited)", () => {
    const { GREEN_ORIGINS: _dropped, ...rest } = GOOD_PRODUCTION_VARS;
    expect(problems(facts({ vars: rest }))).toEqual([expect.objectContaining({ subject: "GREEN_ORIGINS", message: "GREEN_ORIGINS: required (not set)" })]);
  });

  it("refuses a secret kept in [vars], without showing it", () => {
    const p = problems(facts({ vars: { ...GOOD_PRODUCTION_VARS, ADMIN_TOKEN: "plain-text-token-in-the-repo" } }));
    expect(p).toHaveLength(1);
    expect(p[0]!.message).toMatch(/^ADMIN_TOKEN is a secret but sits in \[vars\].*wrangler secret put ADMIN_TOKEN --env production/);
    expect(JSON.stringify(assessConfig(facts({ vars: { ...GOOD_PRODUCTION_VARS, ADMIN_TOKEN: "plain-text-token-in-the-repo" } })))).not.toContain("plain-text-token");
  });

  it("a placeholder KV id is a problem for an environment, only a note at the top level", () => {
    const zero = [{ binding: "ROUTING", id: "0".repeat(32) }];
    expect(problems(facts({ kvNamespaces: zero }))[0]!.message).toMatch(/placeholder: run npx wrangler kv namespace create bluegreen-routing-production and put the id it prints in \[\[env\.production\.kv_namespaces\]\]/);
    const local = assessConfig(facts({ env: null, kvNamespaces: zero, secrets: { source: ".dev.vars", values: {} } }));
    expect(local.filter((c) => c.status === "problem")).toEqual([]);
    expect(local.find((c) => c.subject === "ROUTING")!.status).toBe("info");
  });

  it("a missing binding is a problem", () => {
    expect(problems(facts({ kvNamespaces: [] })).map((c) => c.subject)).toEqual(["ROUTING"]);
    expect(problems(facts({ durableObjects: [] })).map((c) => c.subject)).toEqual(["DEPLOYMENTS"]);
    expect(problems(facts({ kvNamespaces: [{ binding: "ROUTING", id: "not-an-id" }] }))[0]!.message).toMatch(/not a KV namespace id/);
  });

  it("origins: example domains and loopback are problems for an environment, plain http a warning", () => {
    const checks = assessConfig(facts({ vars: { ...GOOD_PRODUCTION_VARS, BLUE_ORIGINS: "https://blue.example.com,http://10.0.0.5:8000", GREEN_ORIGINS: "http://green.models.bluegreen-edge.dev" } }));
    const origins = checks.filter((c) => c.check === "origins");
    expect(origins.map((c) => [c.status, c.subject])).toEqual([
      ["problem", "BLUE_ORIGINS"],
      ["problem", "BLUE_ORIGINS"],
      ["warning", "GREEN_ORIGINS"],
    ]);
    expect(origins[0]!.message).toContain("https://blue.example.com is a placeholder");
    expect(origins[1]!.message).toContain("http://10.0.0.5:8000 is a private address");
    // The top level runs locally: loopback origins are right there.
    expect(assessConfig(facts({ env: null, vars: { ...GOOD_PRODUCTION_VARS, BLUE_ORIGINS: "http://127.0.0.1:8001" } })).filter((c) => c.check === "origins")).toEqual([]);
  });

  it("secrets of a deployed environment without a file: a warning saying they cannot be checked here", () => {
    const s = assessConfig(facts({ secrets: null })).filter((c) => c.check === "secrets");
    expect(s[0]).toMatchObject({ status: "warning" });
    expect(s[0]!.message).toMatch(/ADMIN_TOKEN, ORIGIN_TOKEN: not checked — Cloudflare keeps them.*npx wrangler secret put <NAME> --env production/);
  });

  it("a missing secret in the file is a problem; a short one a warning; none shows its value", () => {
    const checks = assessConfig(facts({ secrets: { source: "prod.secrets", values: { ADMIN_TOKEN: "short-admin", ALERT_WEBHOOK_URL: "http://hooks.chat.test/x" } } }));
    const by = (s: string) => checks.find((c) => c.subject === s)!;
    expect(by("ORIGIN_TOKEN")).toMatchObject({ status: "problem", message: "ORIGIN_TOKEN: missing from prod.secrets; the router needs it: npx wrangler secret put ORIGIN_TOKEN --env production" });
    expect(by("ADMIN_TOKEN")).toMatchObject({ status: "warning" });
    expect(by("ALERT_WEBHOOK_URL")).toMatchObject({ status: "problem" });
    expect(JSON.stringify(checks)).not.toMatch(/short-admin|hooks\.chat/);
  });

  it("locally a secret missing from .dev.vars is only a note: npm start writes one", () => {
    const checks = assessConfig(facts({ env: null, secrets: { source: ".dev.vars", values: {} } }));
    expect(checks.filter((c) => c.check === "secrets").map((c) => c.status)).toEqual(["info", "info", "info"]);
  });
});

describe("placeholders", () => {
  it("KV ids of one repeated digit", () => {
    expect(["0".repeat(32), "1".repeat(32), "2".repeat(32)].every(isPlaceholderKvId)).toBe(true);
    expect(isPlaceholderKvId(REAL_KV_ID)).toBe(false);
  });
  it("origin hosts", () => {
    expect(unusableOriginHost("green.example.org")).toMatch(/placeholder/);
    expect(unusableOriginHost("localhost")).toMatch(/placeholder/);
    expect(unusableOriginHost("127.0.0.1")).toMatch(/loopback/);
    expect(unusableOriginHost("192.168.1.20")).toMatch(/private/);
    expect(unusableOriginHost("172.20.0.3")).toMatch(/private/);
    expect(unusableOriginHost("[::1]")).toMatch(/loopback/);
    expect(unusableOriginHost("172.32.0.1")).toBeNull();
    expect(unusableOriginHost("blue.models.bluegreen-edge.dev")).toBeNull();
  });
});
