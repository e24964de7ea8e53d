// Covers: model-server/Dockerfile and docker-compose.yml without a Docker
// engine — the compose services (blue v1 on 8001, green v2 on 8002, both on
// 8000 inside, HOST 0.0.0.0, ORIGIN_TOKEN from the environment, healthchecks,
// init; each colour's address held by its `-net` container, which publishes
// the port on 127.0.0.1; one build of the image) and the image's structure
// (the router service is covered by test/control/router-container.test.ts;
// npm run test:containers runs them all on a real engine); then it builds dist/ with `npm run
// build:model-server`, runs the Dockerfile's exact CMD (with its ENV) from
// the repository root as the image's WORKDIR, and runs the HEALTHCHECK
// command against it (exit 0) and against a dead port (exit ≠ 0).
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { HealthyResponse, SentimentPrediction } from "../../contract/prediction.js";
import { call, postJson } from "../helpers/http.js";
import { envOf, execForm, parseDockerfile } from "../helpers/dockerfile.js";
import { REPO_ROOT, startWithCommand, type ModelServerHandle } from "../helpers/model-server.js";

const run = promisify(execFile);
const DOCKERFILE = join(REPO_ROOT, "model-server", "Dockerfile");
const COMPOSE = join(REPO_ROOT, "docker-compose.yml");

/** A port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs an exec-form command with `PORT` set; resolves with its exit code. */
async function exitCodeOf(command: string[], port: number): Promise<number> {
  const [file, ...args] = command;
  const bin = file === "node" ? process.execPath : file!;
  try {
    await run(bin, args, { cwd: REPO_ROOT, env: { ...process.env, PORT: String(port) }, timeout: 10_000 });
    return 0;
  } catch (err) {
    return typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : -1;
  }
}

const stages = parseDockerfile(readFileSync(DOCKERFILE, "utf8"));
const runtime = stages.at(-1) ?? [];
const find = (op: string) => runtime.filter((i) => i.op === op);
const compose = parse(readFileSync(COMPOSE, "utf8"), { merge: true }) as {
  services: Record<
    string,
    Record<string, unknown> & {
      environment: Record<string, string>;
      ports: string[];
      healthcheck: { test: string[]; disable?: boolean };
      networks?: { default: { aliases: string[] } };
    }
  >;
};

describe("docker-compose.yml", () => {
  it("has the blue and green model servers, the containers holding their addresses, and the router", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["blue", "blue-net", "green", "green-net", "router"]);
  });

  it.each([
    ["blue", "v1", "BLUE_PORT", 8001],
    ["green", "v2", "GREEN_PORT", 8002],
  ])("%s runs %s at the address of %s-net, published on 127.0.0.1, host port $%s (default %i) → 8000", (name, version, portVar, hostPort) => {
    const svc = compose.services[name]!;
    const holder = compose.services[`${name}-net`]!;
    expect(svc.image).toBe(compose.services.blue!.image);
    expect(svc.environment).toMatchObject({ HOST: "0.0.0.0", PORT: "8000", MODEL_NAME: "sentiment", MODEL_VERSION: version });
    expect(svc.environment.ORIGIN_TOKEN).toMatch(/^\$\{ORIGIN_TOKEN[:?}]/);
    expect(svc.network_mode).toBe(`service:${name}-net`);
    expect(svc.ports).toBeUndefined();
    expect(holder.networks?.default.aliases).toEqual([name]);
    expect(holder.ports).toEqual([`127.0.0.1:\${${portVar}:-${hostPort}}:8000`]);
    expect(holder).toMatchObject({ command: ["sleep", "infinity"], init: true, pull_policy: "never", healthcheck: { disable: true } });
    expect(svc.init).toBe(true);
    expect(svc.healthcheck).toMatchObject({ interval: expect.any(String), timeout: expect.any(String), retries: expect.any(Number) });
    expect(svc.healthcheck.test.slice(0, 2)).toEqual(["CMD", "node"]);
  });

  it("builds the model-server image once (blue), never pulls it", () => {
    expect(compose.services.blue!.build).toEqual({ context: ".", dockerfile: "model-server/Dockerfile" });
    for (const name of ["green", "blue-net", "green-net"]) {
      expect(compose.services[name]!.build, name).toBeUndefined();
      expect(compose.services[name]!.pull_policy, name).toBe("never");
    }
  });

  it("lets in-flight requests drain before SIGKILL", () => {
    for (const name of ["blue", "green", "router"]) expect(compose.services[name]!.stop_grace_period, name).toBe("15s");
  });
});

describe("model-server/Dockerfile structure", () => {
  it("is multi-stage: npm ci (typescript and @types/node of the dev dependencies) + build, then a runtime with production dependencies only", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages[0]!.map((i) => `${i.op} ${i.args}`).join("\n");
    // npm ci with the stage's package.json trimmed to the dev dependencies tsc needs.
    expect(build).toMatch(/RUN node -e .*for \(const name of \["typescript", "@types\/node"\]\).*&& npm ci\b/);
    expect(build).toMatch(/RUN npm run build:model-server/);
    expect(find("RUN").some((i) => /npm ci --omit=dev/.test(i.args))).toBe(true);
    expect(find("COPY").map((i) => i.args)).toEqual(
      expect.arrayContaining([expect.stringMatching(/--from=build .*dist\/model-server/), "model-server/models model-server/models"]),
    );
  });

  it("runs as a non-root user and exposes 8000", () => {
    expect(find("USER").at(-1)?.args).toMatch(/^(node|[1-9]\d*)$/);
    expect(find("EXPOSE").map((i) => i.args)).toEqual(["8000"]);
    expect(envOf(runtime)).toMatchObject({ HOST: "0.0.0.0", PORT: "8000" });
  });

  it("copies only paths that exist in the repository", () => {
    const sources = stages.flat().filter((i) => i.op === "COPY" && !i.args.startsWith("--from")).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(3);
    for (const src of sources) expect(existsSync(join(REPO_ROOT, src)), src).toBe(true);
  });

  it("has a node HEALTHCHECK (no curl in the image) and an exec-form CMD", () => {
    const healthcheck = find("HEALTHCHECK").at(-1)?.args ?? "";
    expect(execForm(healthcheck)[0]).toBe("node");
    expect(healthcheck).not.toMatch(/curl|wget/);
    expect(execForm(find("CMD").at(-1)?.args ?? "")[0]).toBe("node");
  });
});

describe("the image's CMD and HEALTHCHECK against the built output", () => {
  let server: ModelServerHandle;
  const cmd = execForm(find("CMD").at(-1)?.args ?? "[]");
  const healthcheck = execForm(find("HEALTHCHECK").at(-1)?.args ?? "[]");

  beforeAll(async () => {
    await run("npm", ["run", "--silent", "build:model-server"], { cwd: REPO_ROOT, timeout: 120_000 });
    expect(existsSync(join(REPO_ROOT, cmd.at(-1)!))).toBe(true);
    // The image's ENV, but bound to loopback on an ephemeral port for the test.
    const env = { PATH: process.env.PATH ?? "", ...envOf(runtime), HOST: "127.0.0.1", PORT: "0", MODEL_VERSION: "v2" };
    server = await startWithCommand(env, cmd.map((part, i) => (i === 0 && part === "node" ? process.execPath : part)));
  }, 150_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("CMD starts a server that answers /health and /predict (models found from dist/)", async () => {
    const health = await call(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(HealthyResponse.parse(health.body)).toMatchObject({ model_name: "sentiment", model_version: "v2" });
    const res = await postJson(`${server.url}/predict`, { text: "not bad at all" });
    expect(SentimentPrediction.parse(res.body).model_version).toBe("v2");
  });

  it("HEALTHCHECK exits 0 against the running server", async () => {
    expect(await exitCodeOf(healthcheck, server.port)).toBe(0);
  });

  it("HEALTHCHECK exits non-zero against a dead port", async () => {
    expect(await exitCodeOf(healthcheck, await deadPort())).not.toBe(0);
  });

  it("compose's healthcheck command behaves the same", async () => {
    const composeCheck = compose.services.blue!.healthcheck.test.slice(1);
    expect(await exitCodeOf(composeCheck, server.port)).toBe(0);
    expect(await exitCodeOf(composeCheck, await deadPort())).not.toBe(0);
  });

  it("SIGTERM (docker stop) exits 0", async () => {
    expect(await server.stop("SIGTERM")).toEqual({ code: 0, signal: null });
  });
});
