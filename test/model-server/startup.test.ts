// Covers: the model server refuses to start, with a clear message and a
// non-zero exit, on bad config (exit 2), a missing model version, a digest
// mismatch in a copied artifact, a stale artifact (manifest of another
// version), and a busy port (exit 3, not the model's exit 1); never printing
// the origin token. Every case is its own process, so they run concurrently.
import { cp, mkdtemp, rm, appendFile, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJsonLine, REPO_ROOT, runUntilExit, startModelServer } from "../helpers/model-server.js";

const SHIPPED = join(REPO_ROOT, "model-server", "models");
const TOKEN = "startup-secret-token-51c0";
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "model-server-startup-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** The first log line with `event`, parsed. */
function eventIn(lines: string[], event: string): Record<string, unknown> | undefined {
  return lines.map(parseJsonLine).find((e) => e?.event === event);
}

describe.concurrent("bad config → exit 2 naming the variable", () => {
  it.each([
    ["PORT", "eighty"],
    ["PORT", "65536"],
    ["FAULT_RATE", "2"],
    ["MODEL_VERSION", "../v1"],
    ["ERROR_WINDOW_SECONDS", "0"],
    ["FAULT_CONTROL", "maybe"],
  ])("%s=%s", async (name, value) => {
    const run = await runUntilExit({ env: { [name]: value, ORIGIN_TOKEN: TOKEN } });
    expect(run.code).toBe(2);
    const line = eventIn(run.lines, "config_invalid");
    expect(line?.level).toBe("error");
    expect(String(line?.message)).toContain(name);
    expect(run.lines.join("\n")).not.toContain(TOKEN);
  });
});

describe.concurrent("a model that cannot be loaded → exit 1 with the reason", () => {
  it("a version that does not exist", async () => {
    const run = await runUntilExit({ version: "v9" });
    expect(run.code).toBe(1);
    const line = eventIn(run.lines, "model_load_failed");
    expect(line).toMatchObject({ level: "error", error: "ModelLoadError" });
    expect(String(line?.model_dir)).toContain(join("sentiment", "v9"));
    expect(String(line?.message)).toContain("does not exist");
  });

  it("a digest mismatch in a copied, corrupted artifact", async () => {
    const modelDir = join(tmp, "corrupt");
    await cp(SHIPPED, modelDir, { recursive: true });
    const manifest = JSON.parse(await readFile(join(modelDir, "sentiment", "v1", "manifest.json"), "utf8")) as {
      files: Array<{ path: string }>;
    };
    const victim = manifest.files[0]!.path;
    await appendFile(join(modelDir, "sentiment", "v1", victim), "\ntampered\n");

    const run = await runUntilExit({ version: "v1", env: { MODEL_DIR: modelDir } });
    expect(run.code).toBe(1);
    const message = String(eventIn(run.lines, "model_load_failed")?.message);
    expect(message).toContain(victim);
    expect(message).toContain("sha256 mismatch");
    expect(run.lines.some((l) => parseJsonLine(l)?.event === "ready")).toBe(false);
  });

  it("a stale artifact: v1's files where v2 should be", async () => {
    const modelDir = join(tmp, "stale");
    await cp(join(SHIPPED, "sentiment", "v1"), join(modelDir, "sentiment", "v2"), { recursive: true });
    const run = await runUntilExit({ version: "v2", env: { MODEL_DIR: modelDir } });
    expect(run.code).toBe(1);
    expect(String(eventIn(run.lines, "model_load_failed")?.message)).toMatch(/expected "v2"/);
  });

  it("the same copy, untouched, starts fine (so the failures above are the tampering)", async () => {
    const modelDir = join(tmp, "clean");
    await cp(SHIPPED, modelDir, { recursive: true });
    const server = await startModelServer({ env: { MODEL_DIR: modelDir } });
    try {
      expect(server.events().some((e) => e.event === "ready")).toBe(true);
    } finally {
      await server.stop();
    }
  });
});

describe.concurrent("a busy port → exit 3", () => {
  it("refuses to start on a port another server holds", async () => {
    const first = await startModelServer();
    try {
      const run = await runUntilExit({ port: first.port });
      expect(run.code).toBe(3);
      expect(eventIn(run.lines, "listen_failed")).toMatchObject({ level: "error", port: first.port });
    } finally {
      await first.stop();
    }
  });
});

describe.concurrent("MODEL_DIR default", () => {
  it("finds the shipped models whatever the working directory", async () => {
    const server = await startModelServer({ cwd: tmp });
    try {
      const starting = server.events().find((e) => e.event === "starting") as { config: { modelDir: string } };
      expect(starting.config.modelDir).toBe(SHIPPED);
    } finally {
      await server.stop();
    }
  });
});
