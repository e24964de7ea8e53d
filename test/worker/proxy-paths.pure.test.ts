// Covers worker/src/proxy-paths.ts's rules directly: what an exact entry and
// a /prefix/* entry match (and what they do not), which entries are refused
// (the PROXY_PATHS parser's proxyPathProblem, contract/worker-env.ts),
// and the /fault guard in every spelling an origin might decode. The router's
// use of them, with recorder origins, is in proxy.test.ts.
import { describe, expect, it } from "vitest";
import { proxyPathProblem as entryProblem } from "../../contract/worker-env.js";
import { allowsPath, compileProxyPaths, isFaultPath } from "../../worker/src/proxy-paths.js";

describe("allowsPath", () => {
  const paths = compileProxyPaths(["/robots.txt", "/static/*", "/api/v1/*"]);

  it.each([
    ["/robots.txt", true],
    ["/static/", true],
    ["/static/app.js", true],
    ["/static/a/b/c.css", true],
    ["/api/v1/x", true],
    ["/robots.txt/", false],
    ["/robots.txtx", false],
    ["/Robots.txt", false],
    ["/static", false],
    ["/staticx/a", false],
    ["/api/v2/x", false],
    ["/", false],
  ])("%s → %s", (path, allowed) => {
    expect(allowsPath(paths, path)).toBe(allowed);
  });

  it("an empty list allows nothing; /* allows everything", () => {
    expect(allowsPath(compileProxyPaths([]), "/")).toBe(false);
    expect(allowsPath(compileProxyPaths(["/*"]), "/anything/at/all")).toBe(true);
  });
});

describe("proxyPathProblem", () => {
  it.each(["/robots.txt", "/static/*", "/*", "/", "/a-b_c.d~e/f@g:h"])("accepts %s", (entry) => {
    expect(entryProblem(entry)).toBeNull();
  });

  it.each(["robots.txt", "/a*", "/*/x", "/static/**", "//x", "/a//b", "/./a", "/a/..", "/%2e", "/a?b", "/a#b", "/a b", "/a\\b"])(
    "refuses %s",
    (entry) => {
      expect(entryProblem(entry)).toEqual(expect.stringContaining(entry));
    },
  );
});

describe("isFaultPath", () => {
  it.each(["/fault", "/FAULT", "/Fault/", "/fault/x", "/%66ault", "/%46%41%55%4C%54", "/static/..%2ffault", "/static/%2Ffault", "/x\\fault", "/a/fault"])(
    "%s is refused",
    (path) => {
      expect(isFaultPath(path)).toBe(true);
    },
  );

  it.each(["/", "/faults", "/defaults", "/fault-report", "/static/%zz", "/predict"])("%s is not", (path) => {
    expect(isFaultPath(path)).toBe(false);
  });
});
