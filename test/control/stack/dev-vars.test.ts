// Covers control/src/stack/dev-vars.ts: a missing .dev.vars is created with
// mode 0600 and two different random 32-byte hex tokens; an existing one is
// read as is; a missing token is appended (and the file made private); a
// hand-made file holding tokens with a wider mode is always made 0600 and
// the old mode reported; a file without tokens is left alone; the
// environment wins over the file; a token with spaces is a usage error.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsageError } from "../../../control/src/errors.js";
import { ensureDevVars } from "../../../control/src/stack/dev-vars.js";

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "bluegreen-devvars-"));
  file = path.join(dir, ".dev.vars");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("ensureDevVars", () => {
  it("creates the file 0600 with random 64-hex-digit tokens", () => {
    const r = ensureDevVars(file, {});
    expect(r).toMatchObject({ created: true, added: ["ADMIN_TOKEN", "ORIGIN_TOKEN"], sources: { ADMIN_TOKEN: "file", ORIGIN_TOKEN: "file" } });
    expect(r.tokens.ADMIN_TOKEN).toMatch(/^[0-9a-f]{64}$/);
    expect(r.tokens.ORIGIN_TOKEN).toMatch(/^[0-9a-f]{64}$/);
    expect(r.tokens.ADMIN_TOKEN).not.toBe(r.tokens.ORIGIN_TOKEN);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, "utf8");
    expect(text).toContain(`ADMIN_TOKEN=${r.tokens.ADMIN_TOKEN}\n`);
    expect(text).toContain(`ORIGIN_TOKEN=${r.tokens.ORIGIN_TOKEN}\n`);
    expect(ensureDevVars(path.join(dir, "other"), {}).tokens.ADMIN_TOKEN).not.toBe(r.tokens.ADMIN_TOKEN);
  });

  it("reads an existing private file without changing it", () => {
    writeFileSync(file, "ADMIN_TOKEN=admin-abc\nORIGIN_TOKEN=origin-def\n", { mode: 0o600 });
    const before = readFileSync(file, "utf8");
    expect(ensureDevVars(file, {})).toMatchObject({ created: false, added: [], tokens: { ADMIN_TOKEN: "admin-abc", ORIGIN_TOKEN: "origin-def" }, madePrivateFrom: null });
    expect(readFileSync(file, "utf8")).toBe(before);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("makes a hand-made 0644 file holding both tokens 0600, and says what mode it had", () => {
    writeFileSync(file, "ADMIN_TOKEN=admin-abc\nORIGIN_TOKEN=origin-def\n");
    chmodSync(file, 0o644);
    const before = readFileSync(file, "utf8");
    expect(ensureDevVars(file, {})).toMatchObject({ created: false, added: [], madePrivateFrom: 0o644 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("also when the tokens come from the environment but the file still holds one", () => {
    writeFileSync(file, "ALERT_WEBHOOK_URL=https://hooks.chat.test/T000/B000/xyz\n");
    chmodSync(file, 0o664);
    expect(ensureDevVars(file, { ADMIN_TOKEN: "env-admin", ORIGIN_TOKEN: "env-origin" }).madePrivateFrom).toBe(0o664);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("leaves a file without tokens as it is", () => {
    writeFileSync(file, "# nothing secret here\nBAKE_SECONDS=30\n");
    chmodSync(file, 0o644);
    expect(ensureDevVars(file, { ADMIN_TOKEN: "env-admin", ORIGIN_TOKEN: "env-origin" }).madePrivateFrom).toBeNull();
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });

  it("appends a missing token and makes the file private", () => {
    writeFileSync(file, "ADMIN_TOKEN=admin-abc");
    chmodSync(file, 0o644);
    const r = ensureDevVars(file, {});
    expect(r).toMatchObject({ created: false, added: ["ORIGIN_TOKEN"], tokens: { ADMIN_TOKEN: "admin-abc" }, madePrivateFrom: 0o644 });
    expect(readFileSync(file, "utf8")).toBe(`ADMIN_TOKEN=admin-abc\nORIGIN_TOKEN=${r.tokens.ORIGIN_TOKEN}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("takes tokens from the environment first and writes nothing when both are there", () => {
    const r = ensureDevVars(file, { ADMIN_TOKEN: "env-admin", ORIGIN_TOKEN: "env-origin" });
    expect(r).toMatchObject({ created: false, tokens: { ADMIN_TOKEN: "env-admin", ORIGIN_TOKEN: "env-origin" }, sources: { ADMIN_TOKEN: "env", ORIGIN_TOKEN: "env" } });
    expect(() => statSync(file)).toThrow();
  });

  it("refuses a token with spaces, without printing it", () => {
    writeFileSync(file, 'ADMIN_TOKEN="secret with spaces"\nORIGIN_TOKEN=x\n');
    let err: unknown;
    try {
      ensureDevVars(file, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toMatch(/ADMIN_TOKEN in .*\.dev\.vars contains spaces/);
    expect(JSON.stringify({ m: (err as UsageError).message, h: (err as UsageError).hint })).not.toContain("secret with spaces");
  });
});
