// Covers worker/src/config.ts and app.ts's error mapping: env vars parse once
// per env object with their defaults (contract/worker-env.ts); a bad var is a
// ConfigError that names the var (never a secret's value) and is answered as
// a logged 500 — not a 400 — by the router; unknown routes get the error
// envelope too. PROXY_PATHS's syntax is checked here; its matching in
// test/worker/proxy-paths.pure.test.ts.
import { describe, expect, it, vi } from "vitest";
import { ConfigError, routerConfig } from "../../worker/src/config.js";
import { errorOf, newIsolate, predictRequest, sendSettled, testEnv } from "./helpers.js";

const base = {
  DEPLOYMENT_NAME: "prod",
  BLUE_ORIGINS: "http://127.0.0.1:8001",
  GREEN_ORIGINS: "https://g1.example.com/, https://g2.example.com/api",
};

describe("routerConfig", () => {
  it("applies the defaults and splits pools", () => {
    expect(routerConfig({ ...base })).toEqual({
      deployment: "prod",
      origins: { blue: ["http://127.0.0.1:8001"], green: ["https://g1.example.com", "https://g2.example.com/api"] },
      originTimeoutMs: 30_000,
      flagTtlMs: 1_000,
      failover: "standby",
      reportIntervalMs: 1_000,
      maxTextChars: 10_000,
      labelTelemetry: true,
      labelMaxPerSecond: 200,
      proxyPaths: { entries: [], exact: new Set(), prefixes: [] },
      adminToken: undefined,
      originToken: undefined,
      shadow: { maxInFlight: 16, timeoutMs: 2_000 },
    });
  });

  it("compiles PROXY_PATHS once: exact paths and /prefix/* entries, spaces and empty entries ignored", () => {
    const { proxyPaths } = routerConfig({ ...base, PROXY_PATHS: " /robots.txt, /static/* ,,/*" });
    expect(proxyPaths.entries).toEqual(["/robots.txt", "/static/*", "/*"]);
    expect([...proxyPaths.exact]).toEqual(["/robots.txt"]);
    expect(proxyPaths.prefixes).toEqual(["/static/", "/"]);
  });

  it("parses once per env object", () => {
    const env = { ...base, FLAG_TTL_MS: "250" };
    expect(routerConfig(env)).toBe(routerConfig(env));
    expect(routerConfig(env).flagTtlMs).toBe(250);
  });

  it.each([
    ["BLUE_ORIGINS", ""],
    ["BLUE_ORIGINS", "ftp://x"],
    ["GREEN_ORIGINS", "https://user:pw@g.example.com"],
    ["ORIGIN_TIMEOUT_MS", "soon"],
    ["ORIGIN_TIMEOUT_MS", "0"],
    ["FAILOVER", "sometimes"],
    ["DEPLOYMENT_NAME", "has spaces"],
    ["PROXY_PATHS", "robots.txt"],
    ["PROXY_PATHS", "/static/*/x"],
    ["PROXY_PATHS", "/a*"],
    ["PROXY_PATHS", "/x/../fault"],
    ["PROXY_PATHS", "/%66ault"],
    ["PROXY_PATHS", "/a?b=1"],
    ["PROXY_PATHS", "//double"],
    ["PROXY_PATHS", "/with space"],
  ])("rejects %s=%j, naming the var", (key, value) => {
    expect(() => routerConfig({ ...base, [key]: value })).toThrow(ConfigError);
    expect(() => routerConfig({ ...base, [key]: value })).toThrow(key);
  });

  it("never puts a secret's value in the error", () => {
    try {
      routerConfig({ ...base, ADMIN_TOKEN: "super-secret", BLUE_ORIGINS: "nope" });
    } catch (err) {
      expect(String(err)).not.toContain("super-secret");
      return;
    }
    throw new Error("expected a ConfigError");
  });
});

describe("error answers", () => {
  it("a misconfigured Worker answers a logged 500 JSON, not a 400", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const res = await sendSettled(newIsolate(), testEnv({ FAILOVER: "sometimes" }), predictRequest());
      expect(res.status).toBe(500);
      const error = await errorOf(res);
      expect(error.code).toBe("misconfigured");
      expect(error.message).toContain("FAILOVER");
      expect(error.message).not.toContain("sometimes");
      expect(logged).toHaveBeenCalledWith(expect.stringContaining("FAILOVER"));
    } finally {
      logged.mockRestore();
    }
  });
});
