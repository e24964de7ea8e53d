// Covers test/sequencer.ts's list of long files: every entry names a test
// file that exists (a renamed file would otherwise drop silently to the end
// of the queue) and none is listed twice.
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./helpers/model-server.js";
import { LONG_FILES } from "./sequencer.js";

describe("LONG_FILES", () => {
  it("names test files that exist, each once", () => {
    expect(LONG_FILES.filter((file) => !existsSync(path.join(REPO_ROOT, file)))).toEqual([]);
    expect(new Set(LONG_FILES).size).toBe(LONG_FILES.length);
    for (const file of LONG_FILES) expect(file).toMatch(/^test\/.*\.test\.ts$/);
  });
});
