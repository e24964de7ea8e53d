// Covers control/src/stack/options.ts: defaults (the documented ports and
// versions), flags over env over defaults, bad values as usage errors (exit
// 2) that name the flag, the variable and the source, --var, distinct
// ports, and the router-only rules (origins required there, refused elsewhere).
import { describe, expect, it } from "vitest";
import { UsageError } from "../../../control/src/errors.js";
import { parseStackOptions, usage } from "../../../control/src/stack/options.js";

const parse = (argv: string[], env: Record<string, string> = {}) => parseStackOptions(argv, env);
const usageErrorOf = (fn: () => unknown): UsageError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error("expected a UsageError");
};

describe("stack options", () => {
  it("defaults to blue v1 :8001, green v2 :8002, router 127.0.0.1:8787, .bluegreen and .dev.vars", () => {
    expect(parse([])).toMatchObject({
      bluePort: 8001, greenPort: 8002, routerPort: 8787, routerHost: "127.0.0.1",
      blueVersion: "v1", greenVersion: "v2", faultControl: false, blueFaultRate: 0, greenFaultRate: 0,
      stateDir: ".bluegreen", devVars: ".dev.vars", reset: false, routerOnly: false, vars: {}, help: false,
    });
  });

  it("takes flags over env over defaults", () => {
    const o = parse(["--green-port", "9002", "--fault-control"], { GREEN_PORT: "7002", BLUE_PORT: "7001", GREEN_VERSION: "v3", FAULT_CONTROL: "0" });
    expect(o).toMatchObject({ greenPort: 9002, bluePort: 7001, greenVersion: "v3", faultControl: true });
  });

  it("reads fault settings per colour, and --var as router vars", () => {
    const o = parse(["--green-fault-rate", "0.3", "--green-fault-latency-ms", "50", "--var", "BAKE_SECONDS=30", "--var", "MAX_P99_MS="]);
    expect(o).toMatchObject({ greenFaultRate: 0.3, greenFaultLatencyMs: 50, blueFaultRate: 0, vars: { BAKE_SECONDS: "30", MAX_P99_MS: "" } });
  });

  it("empty env values count as unset", () => {
    expect(parse([], { BLUE_PORT: "", FAULT_CONTROL: " " }).bluePort).toBe(8001);
  });

  it.each([
    [["--blue-port", "http"], {}, /--blue-port must be a port number: got "http" from --blue-port/],
    [[], { ROUTER_PORT: "70000" }, /--router-port must be 1\.\.65535: got "70000" from env ROUTER_PORT/],
    [["--green-version", "../v2"], {}, /--green-version must be a version like v1/],
    [["--green-fault-rate", "1.5"], {}, /--green-fault-rate must be 0\.\.1/],
    [[], { FAULT_CONTROL: "yes" }, /--fault-control must be true, false, 1 or 0: got "yes" from env FAULT_CONTROL/],
  ] as Array<[string[], Record<string, string>, RegExp]>)("refuses %j %j", (argv, env, message) => {
    const err = usageErrorOf(() => parse(argv, env));
    expect(err.message).toMatch(message);
    expect(err.exitCode).toBe(2);
    expect(err.hint).toMatch(/--help/);
  });

  it("refuses unknown flags and positionals with a hint about `--`", () => {
    expect(usageErrorOf(() => parse(["--bleu-port", "1"])).message).toMatch(/Bad command line: Unknown option '--bleu-port'/);
    expect(usageErrorOf(() => parse(["green"])).hint).toMatch(/npm start -- --help/);
  });

  it("refuses a malformed --var", () => {
    expect(usageErrorOf(() => parse(["--var", "bake=1"])).message).toMatch(/--var "bake=1" is not KEY=VALUE/);
  });

  it("refuses two parts on one port", () => {
    const err = usageErrorOf(() => parse(["--router-port", "8001"]));
    expect(err.message).toBe("--blue-port and --router-port are both 8001.");
  });

  it("router-only needs both pools; origins are refused without it", () => {
    expect(usageErrorOf(() => parse(["--router-only", "--blue-origins", "http://blue:8000"])).message).toBe("--router-only needs --green-origins.");
    expect(usageErrorOf(() => parse([], { BLUE_ORIGINS: "http://blue:8000" })).message).toBe("--blue-origins is only for --router-only.");
    const o = parse(["--router-only", "--router-host", "0.0.0.0"], { BLUE_ORIGINS: "http://blue:8000/", GREEN_ORIGINS: "http://green:8000, http://green2:8000" });
    expect(o).toMatchObject({ routerOnly: true, routerHost: "0.0.0.0", blueOrigins: ["http://blue:8000"], greenOrigins: ["http://green:8000", "http://green2:8000"] });
    expect(usageErrorOf(() => parse(["--router-only", "--blue-origins", "blue:8000", "--green-origins", "http://g:1"])).message).toMatch(/--blue-origins must be http\(s\) URLs/);
  });

  it("--help lists every flag with its variable", () => {
    expect(parse(["--help"]).help).toBe(true);
    const text = usage();
    for (const flag of ["--blue-port", "--green-version", "--fault-control", "--state-dir", "--dev-vars", "--reset", "--router-only", "--var"]) expect(text).toContain(flag);
    expect(text).toContain("env FAULT_CONTROL");
  });
});
