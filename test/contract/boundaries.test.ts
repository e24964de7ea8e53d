// Covers the seams between the parts, by reading every source file's imports:
// contract/ imports only itself and zod/mini (no node:*, no cloudflare:*) and
// uses no Node- or Workers-only global, so it runs in Node, workerd and the
// browser; the Worker imports no classic zod; no file outside model-server/
// imports the model server's src/ folder (tests use model-server/index.ts,
// the launcher runs model-server/main.ts); control/ reaches the Worker only
// through contract/ (the bench bundles the Worker's entry by an alias, not an
// import; the scale simulation imports the Worker's pure protocol modules).
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/model-server.js";

/** Every .ts file under `dir` (repo-relative), node_modules aside. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(REPO_ROOT, dir))) {
    const rel = path.join(dir, name);
    if (name === "node_modules") continue;
    if (statSync(path.join(REPO_ROOT, rel)).isDirectory()) out.push(...sources(rel));
    else if (name.endsWith(".ts")) out.push(rel);
  }
  return out;
}

/** The file's text without comments (so a comment naming an API is not a use of it). */
function code(file: string): string {
  return readFileSync(path.join(REPO_ROOT, file), "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

/** The modules a file imports (static and dynamic), as written. */
function importsOf(file: string): string[] {
  const text = code(file);
  const found = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?from\s+"([^"]+)"/g), ...text.matchAll(/(?:^|\n)\s*import\s+"([^"]+)"/g), ...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)];
  return found.map((m) => m[1]!);
}

/** The repo-relative file an import resolves to, or the bare specifier for a package. */
function target(file: string, spec: string): string {
  return spec.startsWith(".") ? path.normalize(path.join(path.dirname(file), spec)) : spec;
}

describe("contract/ is portable", () => {
  const files = sources("contract");

  it("has files (the scan below is not empty)", () => {
    expect(files).toEqual(expect.arrayContaining(["contract/env.ts", "contract/prediction.ts", "contract/status.ts"]));
  });

  it.each(files)("%s imports only contract/ and zod/mini", (file) => {
    for (const spec of importsOf(file)) {
      const to = target(file, spec);
      const allowed = to === "zod/mini" || to === "zod/v4/locales/en.js" || (spec.startsWith(".") && to.startsWith("contract/"));
      expect(allowed, `${file} imports ${spec}`).toBe(true);
    }
  });

  it.each(files)("%s uses no Node- or Workers-only global", (file) => {
    const text = code(file);
    const forbidden = /\b(process|Buffer|require|__dirname|__filename|global|setImmediate|caches|HTMLRewriter|WebSocketPair|scheduler|EdgeRuntime)\b(?!\s*:)/;
    expect(forbidden.exec(text)?.[0], file).toBeUndefined();
  });
});

describe("parts meet only through contract/", () => {
  it("the Worker imports no classic zod, only zod/mini", () => {
    for (const file of sources("worker/src")) {
      for (const spec of importsOf(file)) expect(spec === "zod" || spec.startsWith("zod/v4") || spec === "zod/v3", `${file} imports ${spec}`).toBe(false);
    }
  });

  it("no file outside model-server/ imports the model server's src/ folder", () => {
    const sourcesDir = path.join("model-server", "src");
    for (const dir of ["worker", "control", "contract", "test"]) {
      for (const file of sources(dir)) {
        for (const spec of importsOf(file)) expect(target(file, spec).startsWith(sourcesDir), `${file} imports ${spec}`).toBe(false);
      }
    }
  });

  it("control/ and model-server/ do not import worker/src (but the scale simulation, which drives the Worker's own protocol code)", () => {
    for (const dir of ["control", "model-server"]) {
      for (const file of sources(dir)) {
        if (file.startsWith(path.join("control", "sim") + path.sep)) continue;
        for (const spec of importsOf(file)) expect(target(file, spec).startsWith("worker/"), `${file} imports ${spec}`).toBe(false);
      }
    }
  });

  it("the scale simulation imports only the Worker's pure modules (nothing that needs workerd)", () => {
    for (const file of sources(path.join("control", "sim"))) {
      for (const spec of importsOf(file)) {
        const to = target(file, spec);
        if (!to.startsWith("worker/")) continue;
        const text = readFileSync(path.join(REPO_ROOT, to.replace(/\.js$/, ".ts")), "utf8");
        expect(/from "cloudflare:/.test(text), `${file} imports ${spec}, which imports cloudflare:*`).toBe(false);
      }
    }
  });

  it("the Worker and the model server import nothing from each other or from control/", () => {
    for (const [dir, others] of [["worker/src", ["model-server/", "control/"]], ["model-server", ["worker/", "control/"]]] as const) {
      for (const file of sources(dir)) {
        for (const spec of importsOf(file)) {
          const to = target(file, spec);
          expect(others.some((o) => to.startsWith(o)), `${file} imports ${spec}`).toBe(false);
        }
      }
    }
  });
});
