// Covers control/src/config.ts: flags > env > .dev.vars > defaults, empty
// values count as unset, zod validation with errors that name the variable
// (and never show a token), and requireAdminToken's usage error.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, requireAdminToken } from "../../control/src/config.js";
import { EXIT, UsageError } from "../../control/src/errors.js";
import { dirWithDevVars, emptyCwd, removeDir } from "./run-cli.js";

let devVarsDir: string;
beforeAll(async () => {
  devVarsDir = await dirWithDevVars({ ADMIN_TOKEN: "from-dev-vars-token", GREEN_URL: "http://127.0.0.1:9002", ROUTER_URL: "http://127.0.0.1:9787/" });
});
afterAll(async () => removeDir(devVarsDir));

describe("loadConfig", () => {
  it("uses the local-stack defaults when nothing is set", async () => {
    const c = loadConfig({ flags: {}, env: {}, cwd: await emptyCwd() });
    expect(c).toMatchObject({ routerUrl: "http://127.0.0.1:8787", blueUrl: "http://127.0.0.1:8001", greenUrl: "http://127.0.0.1:8002" });
    expect(c.adminToken).toBeUndefined();
    expect(c.sources.routerUrl).toBe("default");
  });

  it("reads .dev.vars, lets the environment override it and flags override both", () => {
    const fromFile = loadConfig({ flags: {}, env: {}, cwd: devVarsDir });
    expect(fromFile).toMatchObject({ adminToken: "from-dev-vars-token", greenUrl: "http://127.0.0.1:9002", routerUrl: "http://127.0.0.1:9787" });
    expect(fromFile.sources.adminToken).toBe(".dev.vars");

    const fromEnv = loadConfig({ flags: {}, env: { ADMIN_TOKEN: "env-token", GREEN_URL: "http://127.0.0.1:7002" }, cwd: devVarsDir });
    expect(fromEnv).toMatchObject({ adminToken: "env-token", greenUrl: "http://127.0.0.1:7002" });

    const fromFlag = loadConfig({ flags: { adminToken: "flag-token" }, env: { ADMIN_TOKEN: "env-token" }, cwd: devVarsDir });
    expect(fromFlag.adminToken).toBe("flag-token");
    expect(fromFlag.sources.adminToken).toBe("flag");
  });

  it("treats an empty variable as unset", () => {
    const c = loadConfig({ flags: {}, env: { ADMIN_TOKEN: "", GREEN_URL: "  " }, cwd: devVarsDir });
    expect(c.adminToken).toBe("from-dev-vars-token");
    expect(c.greenUrl).toBe("http://127.0.0.1:9002");
  });

  it("rejects a URL that is not http(s), naming the variable and where it came from", async () => {
    const cwd = await emptyCwd();
    const err = (() => {
      try {
        loadConfig({ flags: {}, env: { BLUE_URL: "ftp://x" }, cwd });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(EXIT.usage);
    expect((err as UsageError).message).toMatch(/BLUE_URL .*http.*"ftp:\/\/x".*environment/);
    expect((err as UsageError).hint).toMatch(/--blue-url/);
  });

  it("never shows a bad token's value", async () => {
    const cwd = await emptyCwd();
    expect(() => loadConfig({ flags: {}, env: { ADMIN_TOKEN: "has spaces secret" }, cwd })).toThrow(/ADMIN_TOKEN.*\(hidden\)/);
  });
});

describe("requireAdminToken", () => {
  it("is a usage error that says to set ADMIN_TOKEN", async () => {
    const c = loadConfig({ flags: {}, env: {}, cwd: await emptyCwd() });
    expect(() => requireAdminToken(c)).toThrow(UsageError);
    expect(() => requireAdminToken(c)).toThrow(/ADMIN_TOKEN/);
  });
});
