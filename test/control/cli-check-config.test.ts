// Covers `bluegreen check-config` as a real process: the repository's own
// wrangler.toml (top level passes; --env production fails on its placeholder
// KV id and example.com origins), a good production config with its secrets
// file (exit 0), a bad var refused naming it (exit 1), a missing secret
// reported (exit 1), --json as one document, an unknown environment (exit 2),
// and no secret value in any output.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Fixture, fixtureDir, GOOD_PRODUCTION_VARS, GOOD_SECRETS } from "./check-config/fixtures.js";
import { jsonOf, REPO_ROOT, runCli, show } from "./run-cli.js";

let fx: Fixture;
beforeAll(async () => {
  fx = await fixtureDir();
});
afterAll(async () => fx.remove());

const REPO_TOML = path.join(REPO_ROOT, "wrangler.toml");

describe("bluegreen check-config", () => {
  it("passes the repository's wrangler.toml at the top level (the local stack)", async () => {
    const r = await runCli(["check-config", "--config", REPO_TOML]);
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/^✓ vars +\d+ vars parse with the Worker's own parsers/m);
    expect(r.stdout).toMatch(/^· binding +ROUTING id 0{32} is a placeholder: fine locally/m);
    expect(r.stdout).toMatch(/^✓ check-config passed: ready for npm start$/m);
  });

  it("fails the repository's --env production: placeholder KV id and example.com origins", async () => {
    const r = await runCli(["check-config", "--config", REPO_TOML, "--env", "production"]);
    expect(r.code, show(r)).toBe(1);
    expect(r.stdout).toMatch(/^✗ binding +ROUTING id 2{32} is a placeholder: run npx wrangler kv namespace create bluegreen-routing-production /m);
    expect(r.stdout).toMatch(/^✗ origins +BLUE_ORIGINS: https:\/\/blue\.example\.com is a placeholder/m);
    expect(r.stdout).toMatch(/^! secrets +ADMIN_TOKEN, ORIGIN_TOKEN: not checked/m);
    expect(r.stderr).toMatch(/^error: check-config: 3 problems in .*wrangler\.toml --env production\./m);
  });

  it("passes a complete production config with its secrets file", async () => {
    const config = await fx.config();
    const secrets = await fx.secrets("prod.secrets", GOOD_SECRETS);
    const r = await runCli(["check-config", "--config", config, "--env", "production", "--secrets-from", secrets]);
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/^✓ secrets +ADMIN_TOKEN: set in .*prod\.secrets$/m);
    expect(r.stdout).toMatch(/^✓ check-config passed: ready for npx wrangler deploy --env production$/m);
    for (const v of Object.values(GOOD_SECRETS)) expect(r.stdout + r.stderr).not.toContain(v);
  });

  it("refuses a bad var, naming it and its value", async () => {
    const config = await fx.config({ productionVars: { ...GOOD_PRODUCTION_VARS, BAKE_SECONDS: "abc" } });
    const secrets = await fx.secrets("prod.secrets", GOOD_SECRETS);
    const r = await runCli(["check-config", "--config", config, "--env", "production", "--secrets-from", secrets]);
    expect(r.code, show(r)).toBe(1);
    expect(r.stdout).toMatch(/^✗ vars +BAKE_SECONDS: must be a whole number \(got "abc"\)$/m);
    expect(r.stderr).toMatch(/why: problems with BAKE_SECONDS/);
  });

  it("refuses bad drift vars (DRIFT_GUARD, MAX_LABEL_SHIFT, BASELINE_MINUTES), one line each", async () => {
    const config = await fx.config({ productionVars: { ...GOOD_PRODUCTION_VARS, DRIFT_GUARD: "maybe", MAX_LABEL_SHIFT: "20", BASELINE_MINUTES: "90" } });
    const secrets = await fx.secrets("prod.secrets", GOOD_SECRETS);
    const r = await runCli(["check-config", "--config", config, "--env", "production", "--secrets-from", secrets]);
    expect(r.code, show(r)).toBe(1);
    expect(r.stdout).toMatch(/^✗ vars +DRIFT_GUARD: .*\(got "maybe"\)$/m);
    expect(r.stdout).toMatch(/MAX_LABEL_SHIFT: .*\(got "20"\)$/m);
    expect(r.stdout).toMatch(/BASELINE_MINUTES: .*\(got "90"\)$/m);
  });

  it("reports a missing secret", async () => {
    const config = await fx.config();
    const secrets = await fx.secrets("partial.secrets", { ADMIN_TOKEN: GOOD_SECRETS.ADMIN_TOKEN });
    const r = await runCli(["check-config", "--config", config, "--env", "production", "--secrets-from", secrets]);
    expect(r.code, show(r)).toBe(1);
    expect(r.stdout).toMatch(/^✗ secrets +ORIGIN_TOKEN: missing from .*partial\.secrets; the router needs it: npx wrangler secret put ORIGIN_TOKEN --env production$/m);
  });

  it("--json writes one document with every check", async () => {
    const config = await fx.config({ productionKvId: "1".repeat(32) });
    const r = await runCli(["--json", "check-config", "--config", config, "--env", "production"]);
    expect(r.code, show(r)).toBe(1);
    const doc = jsonOf<{ env: string; passed: boolean; problems: number; checks: Array<{ check: string; status: string; subject?: string }> }>(r);
    expect(doc).toMatchObject({ env: "production", passed: false, problems: 1 });
    expect(doc.checks).toContainEqual(expect.objectContaining({ check: "binding", status: "problem", subject: "ROUTING" }));
    expect(r.stderr).toMatch(/✗ binding +ROUTING/); // step lines go to stderr in --json mode
  });

  it("an environment that is not in the file is a usage error (exit 2)", async () => {
    const config = await fx.config();
    const r = await runCli(["check-config", "--config", config, "--env", "prodution"]);
    expect(r.code, show(r)).toBe(2);
    expect(r.stderr).toMatch(/error: wrangler cannot read .* for --env prodution/);
    expect(r.stderr).toMatch(/No environment found in configuration with name "prodution"/);
  });
});
