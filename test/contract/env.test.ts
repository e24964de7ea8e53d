// Covers contract/env.ts, the one way every part reads its env vars: unset
// and blank mean the default; each helper's accepted values and its message
// for a bad one; ConfigError's message naming vars without values and its
// issue lines with them (never a secret's); a wrangler var that is not a
// string; and booleans read the same by the router's policy, the model
// server and the launcher.
import { describe, expect, it } from "vitest";
import {
  boolVar,
  ConfigError,
  enumVar,
  intVar,
  listVar,
  originsVar,
  parseEnv,
  positiveVar,
  rateVar,
  secretVar,
  textVar,
  type EnvSpec,
} from "../../contract/env.js";
import { POLICY_VARS } from "../../contract/policy.js";
import { parseStackOptions } from "../../control/src/stack/options.js";
import { MODEL_SERVER_VARS } from "../../model-server/index.js";

/** The issue lines of parsing `value` as `v` (empty when it parses). */
function issuesOf(spec: EnvSpec, env: Record<string, unknown>): string[] {
  try {
    parseEnv("test", spec, env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
}

const one = <T>(v: { schema: unknown; defaultText: string; secret: boolean }, value: unknown): T =>
  parseEnv("test", { V: v as never }, { V: value }).V as T;

describe("helpers", () => {
  it("intVar: whole numbers in range; unset or blank is the default", () => {
    const v = intVar({ default: 30, min: 1, max: 100 });
    expect([one(v, undefined), one(v, ""), one(v, "  "), one(v, " 42 ")]).toEqual([30, 30, 30, 42]);
    expect(issuesOf({ V: v }, { V: "1.5" })).toEqual(['V: must be a whole number (got "1.5")']);
    expect(issuesOf({ V: v }, { V: "-1" })).toEqual(['V: must be a whole number (got "-1")']);
    expect(issuesOf({ V: v }, { V: "0" })).toEqual(['V: must be at least 1 (got "0")']);
    expect(issuesOf({ V: v }, { V: "101" })).toEqual(['V: must be at most 100 (got "101")']);
    expect(v.defaultText).toBe("30");
  });

  it("rateVar: a share from 0 to 1, or below 1", () => {
    expect([one(rateVar({ default: 0 }), ".25"), one(rateVar({ default: 0 }), "1")]).toEqual([0.25, 1]);
    expect(issuesOf({ V: rateVar({ default: 0 }) }, { V: "1.5" })).toEqual(['V: must be from 0 to 1 (a rate, not a percentage) (got "1.5")']);
    expect(issuesOf({ V: rateVar({ default: 0, belowOne: true }) }, { V: "1" })).toEqual(['V: must be below 1 (a rate, not a percentage) (got "1")']);
    expect(issuesOf({ V: rateVar({ default: 0 }) }, { V: "5%" })).toEqual(['V: must be a number from 0 to 1 (got "5%")']);
  });

  it("positiveVar: unset is null when that is its default", () => {
    const v = positiveVar({ default: null, max: 10 });
    expect([one(v, ""), one(v, "2.5")]).toEqual([null, 2.5]);
    expect(issuesOf({ V: v }, { V: "0" })).toEqual(['V: must be above 0 (got "0")']);
    expect(v.defaultText).toBe("unset");
  });

  it("boolVar: true, false, 1 or 0 in any case, nothing else", () => {
    const v = boolVar({ default: false });
    expect(["true", "TRUE", " True ", "1", "false", "FALSE", "0", ""].map((s) => one(v, s))).toEqual([true, true, true, true, false, false, false, false]);
    for (const bad of ["yes", "on", "2", "t"]) expect(issuesOf({ V: v }, { V: bad })).toEqual([`V: must be true, false, 1 or 0 (got "${bad}")`]);
  });

  it("enumVar: one of the values, exactly", () => {
    const v = enumVar(["standby", "off"], { default: "standby" });
    expect([one(v, undefined), one(v, "off")]).toEqual(["standby", "off"]);
    expect(issuesOf({ V: v }, { V: "Off" })).toEqual(['V: must be "standby" or "off" (got "Off")']);
  });

  it("textVar: required, or its default; its own check", () => {
    expect(issuesOf({ V: textVar({ required: true }) }, {})).toEqual(["V: required (not set)"]);
    const checked = textVar({ default: "a", problem: (s) => (s.includes(" ") ? "must not hold spaces" : null) });
    expect(one(checked, "")).toBe("a");
    expect(issuesOf({ V: checked }, { V: "a b" })).toEqual(['V: must not hold spaces (got "a b")']);
  });

  it("secretVar: taken as given, blank is unset, its value never shown", () => {
    const spec = { S: secretVar(), N: intVar({ default: 1, min: 0 }) };
    expect(parseEnv("test", spec, { S: " tok en " }).S).toBe(" tok en ");
    expect(parseEnv("test", spec, { S: "" }).S).toBeUndefined();
    expect(issuesOf({ S: textVar({ required: true, problem: () => "bad" }) }, { S: "x" })).toEqual(['S: bad (got "x")']);
    const secretIssue = issuesOf({ S: { ...secretVar(), schema: textVar({ problem: () => "bad" }).schema } }, { S: "hunter2" });
    expect(secretIssue).toEqual(["S: bad (value hidden)"]);
  });

  it("originsVar: http(s) URLs without credentials, trailing slashes dropped; problems name the entry, not its text", () => {
    const v = originsVar();
    expect(one(v, " https://a.example.com/, http://127.0.0.1:8001// ")).toEqual(["https://a.example.com", "http://127.0.0.1:8001"]);
    expect(issuesOf({ V: v }, {})).toEqual(["V: required (not set)"]);
    expect(issuesOf({ V: v }, { V: " , " })).toEqual(['V: a pool needs at least one origin URL (got " , ")']);
    try {
      parseEnv("test", { V: v }, { V: "https://ok.example.com, https://user:pw@x.example.com" });
    } catch (err) {
      expect((err as ConfigError).message).toBe("invalid test: V: entry 2: origin URLs carry no credentials, query or fragment");
    }
  });

  it("listVar: an empty list by default", () => {
    const v = listVar({ problem: (e) => (e.startsWith("/") ? null : "must start with /") });
    expect([one(v, undefined), one(v, "/a, ,/b")]).toEqual([[], ["/a", "/b"]]);
    expect(v.defaultText).toBe("empty");
  });
});

describe("ConfigError", () => {
  const spec = { PORT: intVar({ default: 80, min: 1, max: 65535 }), TOKEN: secretVar(), MODE: enumVar(["a", "b"], { default: "a" }) };

  it("names every bad var in its message, without values; its issues carry them", () => {
    let error: ConfigError | undefined;
    try {
      parseEnv("the thing", spec, { PORT: "http", MODE: "c", UNRELATED: "ignored" });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message).toBe('invalid the thing: PORT: must be a whole number; MODE: must be "a" or "b"');
    expect(error!.issues).toEqual(['PORT: must be a whole number (got "http")', 'MODE: must be "a" or "b" (got "c")']);
    expect(error!.problems.map((p) => p.variable)).toEqual(["PORT", "MODE"]);
  });

  it("says when a var is not a string (a TOML number in [vars])", () => {
    expect(issuesOf(spec, { PORT: 8080 })).toEqual(["PORT: must be a string, not a number (got 8080)"]);
  });
});

describe("booleans parse the same in every part", () => {
  const words: Array<[string, boolean | "refused"]> = [
    ["true", true], ["True", true], ["1", true], ["false", false], ["FALSE", false], ["0", false], ["yes", "refused"], ["on", "refused"],
  ];

  it.each(words)("%j is %s for GUARD_STABLE (policy), FAULT_CONTROL (model server) and npm start's FAULT_CONTROL", (word, expected) => {
    const policy = issuesOf({ V: POLICY_VARS.GUARD_STABLE }, { V: word }).length > 0 ? "refused" : one(POLICY_VARS.GUARD_STABLE, word);
    const server = issuesOf({ V: MODEL_SERVER_VARS.FAULT_CONTROL }, { V: word }).length > 0 ? "refused" : one(MODEL_SERVER_VARS.FAULT_CONTROL, word);
    let launcher: boolean | "refused";
    try {
      launcher = parseStackOptions([], { FAULT_CONTROL: word }).faultControl;
    } catch {
      launcher = "refused";
    }
    expect({ policy, server, launcher }).toEqual({ policy: expected, server: expected, launcher: expected });
  });
});
