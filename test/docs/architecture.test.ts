// Covers docs/architecture.md against the code: every env var each part
// parses (the router Worker's and the rollout policy's declarations, the
// model server's, the CLI's settings and npm start's options) is in its
// section's table with the default the code uses, and the tables name no
// var the code does not read; every error code is in the error table with
// its status; every contract/ module is in the module map; the origin
// contract's section is where ORIGIN_CONTRACT_DOC (every error message about
// an origin) and the README point.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_STATUS } from "../../contract/errors.js";
import { ORIGIN_CONTRACT_DOC } from "../../contract/origin.js";
import { WORKER_VARS } from "../../contract/worker-env.js";
import { SETTINGS } from "../../control/src/config.js";
import { STACK_OPTIONS } from "../../control/src/stack/options.js";
import { MODEL_SERVER_VARS } from "../../model-server/index.js";
import { REPO_ROOT } from "../helpers/model-server.js";

const doc = readFileSync(path.join(REPO_ROOT, "docs/architecture.md"), "utf8");

/** The text of a `## …` or `### …` section, up to the next heading of the same or a higher level. */
function section(heading: string): string {
  const level = heading.match(/^#+/)![0].length;
  const start = doc.indexOf(`\n${heading}\n`);
  expect(start, `docs/architecture.md has "${heading}"`).toBeGreaterThanOrEqual(0);
  const rest = doc.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`\\n#{1,${level}} `));
  return end === -1 ? rest : rest.slice(0, end);
}

/** A table's rows whose first cell is a `code` name: name → the second cell, backticks removed. */
function rows(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^\| `([^`]+)` \| ([^|]*) \|/.exec(line);
    if (m) out.set(m[1]!, m[2]!.replace(/`/g, "").trim());
  }
  return out;
}

/** What a CLI or launcher default reads as in the docs. */
function shown(value: string | boolean | undefined): string {
  return value === undefined ? "unset" : String(value);
}

describe("docs/architecture.md, Env vars", () => {
  const tables: Array<[string, Record<string, string>]> = [
    ["### Router Worker", Object.fromEntries(Object.entries(WORKER_VARS).map(([name, v]) => [name, v.defaultText]))],
    ["### Model server", Object.fromEntries(Object.entries(MODEL_SERVER_VARS).map(([name, v]) => [name, v.defaultText]))],
    ["### CLI", Object.fromEntries(Object.values(SETTINGS).map((s) => [s.env, shown(s.default)]))],
    ["### Local stack (`npm start`)", Object.fromEntries(Object.values(STACK_OPTIONS).map((o) => [o.env, shown(o.default)]))],
  ];

  it.each(tables)("%s: every var the code reads, with its default, and no other", (heading, code) => {
    const documented = rows(section(heading));
    expect(Object.fromEntries(documented)).toEqual(code);
  });
});

describe("docs/architecture.md, the rest", () => {
  it("lists every error code with its status", () => {
    const documented = rows(section("## Error codes"));
    expect(Object.fromEntries([...documented].map(([code, status]) => [code, Number(status)]))).toEqual(ERROR_STATUS);
  });

  it("maps every contract/ module", () => {
    const map = section("### contract/");
    for (const file of readdirSync(path.join(REPO_ROOT, "contract")).filter((f) => f.endsWith(".ts"))) {
      expect(map, file).toContain(`\`${file}\``);
    }
  });

  it("has the origin contract's section where ORIGIN_CONTRACT_DOC and the README point", () => {
    const [file, anchor] = ORIGIN_CONTRACT_DOC.split("#") as [string, string];
    expect(file).toBe("docs/architecture.md");
    const heading = `## ${anchor.replace(/-/g, " ").replace(/^./, (c) => c.toUpperCase())}`;
    expect(section(heading)).toMatch(/\*\*Required\*\*[^]*\*\*Optional, and what each one enables\*\*/);
    const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    expect(readme).toContain(`(${ORIGIN_CONTRACT_DOC})`);
    expect(readme).toMatch(/npm start -- --router-only --blue-origins \S+ --green-origins \S+/);
  });
});
