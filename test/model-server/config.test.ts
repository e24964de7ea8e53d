// Covers: the model server's config.ts — defaults, parsing of every variable,
// clear errors for bad values (never echoing the origin token), the shipped
// MODEL_DIR default, and the redacted view used for logging.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, defaultModelDir, loadConfig, redactedConfig } from "../../model-server/index.js";
import { REPO_ROOT } from "../helpers/model-server.js";

describe("loadConfig", () => {
  it("has the documented defaults", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 8000,
      host: "127.0.0.1",
      modelName: "sentiment",
      modelVersion: "v1",
      maxTextChars: 10_000,
      originToken: undefined,
      faultRate: 0,
      faultLatencyMs: 0,
      faultSilentRate: 0,
      faultSilentMode: "random",
      faultSilentConfidence: null,
      faultControl: false,
      errorWindowSeconds: 60,
    });
    expect(c.modelDir).toBe(join(REPO_ROOT, "model-server", "models"));
  });

  it("parses every variable", () => {
    const c = loadConfig({
      PORT: "0",
      HOST: "0.0.0.0",
      MODEL_NAME: "sentiment",
      MODEL_VERSION: "v2",
      MODEL_DIR: "/srv/models",
      MAX_TEXT_CHARS: "500",
      ORIGIN_TOKEN: "s3cret-token",
      FAULT_RATE: "0.25",
      FAULT_LATENCY_MS: "150",
      FAULT_SILENT_RATE: "0.6",
      FAULT_SILENT_MODE: "swap:positive,negative",
      FAULT_SILENT_CONFIDENCE: "0.9",
      FAULT_CONTROL: "1",
      ERROR_WINDOW_SECONDS: "5",
      SHUTDOWN_GRACE_MS: "2000",
    });
    expect(c).toEqual({
      port: 0,
      host: "0.0.0.0",
      modelName: "sentiment",
      modelVersion: "v2",
      modelDir: "/srv/models",
      maxTextChars: 500,
      originToken: "s3cret-token",
      faultRate: 0.25,
      faultLatencyMs: 150,
      faultSilentRate: 0.6,
      faultSilentMode: "swap:positive,negative",
      faultSilentConfidence: 0.9,
      faultControl: true,
      errorWindowSeconds: 5,
      shutdownGraceMs: 2000,
    });
  });

  it("treats empty strings as unset", () => {
    expect(loadConfig({ ORIGIN_TOKEN: "", PORT: "" })).toMatchObject({ originToken: undefined, port: 8000 });
  });

  it.each([
    ["PORT", "70000"],
    ["PORT", "-1"],
    ["PORT", "80a"],
    ["MODEL_VERSION", "../v1"],
    ["MODEL_VERSION", "v1/x"],
    ["MODEL_NAME", ".."],
    ["MAX_TEXT_CHARS", "0"],
    ["FAULT_RATE", "1.5"],
    ["FAULT_RATE", "abc"],
    ["FAULT_LATENCY_MS", "1.5"],
    ["FAULT_CONTROL", "yes"],
    ["FAULT_SILENT_RATE", "2"],
    ["FAULT_SILENT_MODE", "constant:joy"],
    ["FAULT_SILENT_MODE", "always"],
    ["FAULT_SILENT_CONFIDENCE", "1.2"],
    ["ERROR_WINDOW_SECONDS", "0"],
  ])("rejects %s=%s naming the variable", (name, value) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.join(" ")).toContain(name);
  });

  it("redacts the origin token for logging", () => {
    const view = JSON.stringify(redactedConfig(loadConfig({ ORIGIN_TOKEN: "s3cret-token" })));
    expect(view).not.toContain("s3cret-token");
    expect(view).toContain('"originToken":"set"');
  });
});

describe("defaultModelDir", () => {
  it("is the shipped model-server/models, whatever the cwd", () => {
    expect(defaultModelDir()).toBe(join(REPO_ROOT, "model-server", "models"));
    expect(existsSync(defaultModelDir())).toBe(true);
  });
});
