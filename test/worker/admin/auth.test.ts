// Covers worker/src/admin/auth.ts: admin calls without a token, with a wrong
// one of the same length, a shorter or longer one, another scheme, or with no
// ADMIN_TOKEN configured get 401 JSON and change nothing (state and history
// read from the controller directly); tokenMatches/bearerToken rules.
import { describe, expect, it } from "vitest";
import { bearerToken, tokenMatches } from "../../../worker/src/admin/auth.js";
import { ADMIN_TOKEN, adminRequest, controller, errorOf, newIsolate, sendSettled, testEnv } from "../helpers.js";

const WRONG_TOKENS: Array<[string, string | null]> = [
  ["no token", null],
  ["wrong token, same length", "x".repeat(ADMIN_TOKEN.length)],
  ["shorter token", ADMIN_TOKEN.slice(0, -1)],
  ["longer token", `${ADMIN_TOKEN}0`],
  ["empty token", ""],
];

const CALLS: Array<[string, string, unknown]> = [
  ["POST", "/admin/flip", { to: "green" }],
  ["POST", "/admin/rollback", {}],
  ["GET", "/admin/status", undefined],
  ["GET", "/admin/history", undefined],
  ["GET", "/admin/timeline", undefined],
  ["GET", "/admin/unknown", undefined],
  // GET /admin is the dashboard's page, which carries no data (test/worker/dashboard/); anything else there needs the token.
  ["POST", "/admin", {}],
];

describe("admin auth", () => {
  it("401s every admin call with a missing, wrong or differently sized token, and changes nothing", async () => {
    const e = testEnv();
    await controller(e).flip({ to: "green", actor: "setup" }); // so that a rollback would be possible
    const before = await controller(e).getRoutingState();
    const router = newIsolate();
    for (const [label, token] of WRONG_TOKENS) {
      for (const [method, path, body] of CALLS) {
        const res = await sendSettled(router, e, adminRequest(method, path, body, token));
        expect(res.status, `${label}: ${method} ${path}`).toBe(401);
        expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
        expect((await errorOf(res)).code).toBe("unauthorized");
      }
    }
    expect(await controller(e).getRoutingState()).toEqual(before);
    expect(await controller(e).history(10)).toHaveLength(1);
  });

  it("401s another auth scheme carrying the right token", async () => {
    const res = await sendSettled(
      newIsolate(),
      testEnv(),
      new Request("https://router.test/admin/status", { headers: { authorization: `Basic ${ADMIN_TOKEN}` } }),
    );
    expect(res.status).toBe(401);
  });

  it("with no ADMIN_TOKEN configured, nobody is admin (fail closed)", async () => {
    const e = testEnv({ ADMIN_TOKEN: "" });
    for (const token of ["", "anything"]) {
      const res = await sendSettled(newIsolate(), e, adminRequest("POST", "/admin/flip", { to: "green" }, token));
      expect(res.status).toBe(401);
    }
    expect((await controller(e).getRoutingState()).active).toBe("blue");
  });

  it("lets the right token through", async () => {
    const res = await sendSettled(newIsolate(), testEnv(), adminRequest("GET", "/admin/status"));
    expect(res.status).toBe(200);
  });
});

describe("tokenMatches / bearerToken", () => {
  it("matches only the same token", async () => {
    expect(await tokenMatches("secret", "secret")).toBe(true);
    expect(await tokenMatches("secreT", "secret")).toBe(false);
    expect(await tokenMatches("secret-longer", "secret")).toBe(false);
    expect(await tokenMatches(undefined, "secret")).toBe(false);
    expect(await tokenMatches("", undefined)).toBe(false);
    expect(await tokenMatches(undefined, undefined)).toBe(false);
  });

  it("reads only Bearer tokens", () => {
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(bearerToken("bearer abc")).toBe("abc");
    expect(bearerToken("Bearer")).toBeUndefined();
    expect(bearerToken("Bearer a b")).toBeUndefined();
    expect(bearerToken("Basic abc")).toBeUndefined();
    expect(bearerToken(null)).toBeUndefined();
  });
});
