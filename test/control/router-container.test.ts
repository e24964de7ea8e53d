// Covers the router's container (control/router.Dockerfile, compose service
// `router`) without a Docker engine: the service's structure (build, port
// 8787 on loopback, depends_on blue/green healthy, tokens from the
// environment, state volume, healthcheck) and the image's (production
// dependencies plus miniflare, wrangler and tsx, sources that exist,
// non-root, CMD in router-only mode); then it runs compose's exact
// command for the service from the repository root (the image's WORKDIR),
// with the origins pointed at local model servers and the listen address at
// 127.0.0.1, and checks that it serves predictions from blue and green, that
// the healthcheck passes against it and fails against a dead port, and that
// SIGTERM stops it with exit 0.
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { envOf, execForm, parseDockerfile } from "../helpers/dockerfile.js";
import { type ModelServerHandle, REPO_ROOT, startModelServer } from "../helpers/model-server.js";
import { freePort, isAlive, startStack, type StackProcess } from "../helpers/stack.js";

const run = promisify(execFile);
const ORIGIN_TOKEN = "router-container-origin-token";
const ADMIN_TOKEN = "router-container-admin-token";

interface Service {
  build: { context: string; dockerfile: string };
  command: string[];
  environment: Record<string, string>;
  volumes: string[];
  ports: string[];
  depends_on: Record<string, { condition: string }>;
  healthcheck: { test: string[] };
  stop_grace_period: string;
}
const compose = parse(readFileSync(path.join(REPO_ROOT, "docker-compose.yml"), "utf8"), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const router = compose.services.router!;
const dockerfile = parseDockerfile(readFileSync(path.join(REPO_ROOT, router.build.dockerfile), "utf8"));
const image = dockerfile.at(-1)!;
const instructions = (op: string) => image.filter((i) => i.op === op);

/** Replaces the value after `flag` in an argv. */
function withFlag(argv: string[], flag: string, value: string): string[] {
  const at = argv.indexOf(flag);
  expect(at, `${flag} in ${argv.join(" ")}`).toBeGreaterThan(-1);
  return argv.map((a, i) => (i === at + 1 ? value : a));
}

/** Runs an exec-form command with `env`; resolves with its exit code. */
async function exitCodeOf(command: string[], env: Record<string, string>): Promise<number> {
  const [file, ...args] = command;
  try {
    await run(file === "node" ? process.execPath : file!, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 10_000 });
    return 0;
  } catch (err) {
    return typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : -1;
  }
}

describe("compose service `router`", () => {
  it("builds control/router.Dockerfile and publishes 8787 on loopback", () => {
    expect(router.build).toEqual({ context: ".", dockerfile: "control/router.Dockerfile" });
    expect(router.ports).toEqual(["127.0.0.1:${ROUTER_PORT:-8787}:8787"]);
  });

  it("runs the launcher in router-only mode in front of http://blue:8000 and http://green:8000", () => {
    expect(router.command.slice(0, 5)).toEqual(["node", "--import", "tsx", "control/src/stack/main.ts", "--router-only"]);
    expect(router.command).toEqual(expect.arrayContaining(["--router-host", "0.0.0.0"]));
    expect(router.command[router.command.indexOf("--blue-origins") + 1]).toBe("http://blue:8000");
    expect(router.command[router.command.indexOf("--green-origins") + 1]).toBe("http://green:8000");
  });

  it("waits for healthy model servers, takes both tokens from the environment, keeps its state in a volume", () => {
    expect(router.depends_on).toEqual({ blue: { condition: "service_healthy" }, green: { condition: "service_healthy" } });
    expect(router.environment.ADMIN_TOKEN).toMatch(/^\$\{ADMIN_TOKEN:\?/);
    expect(router.environment.ORIGIN_TOKEN).toMatch(/^\$\{ORIGIN_TOKEN:\?/);
    expect(router.volumes).toEqual([`router-state:${router.environment.BLUEGREEN_STATE_DIR}`]);
    expect(Object.keys(compose.volumes)).toContain("router-state");
    expect(router.healthcheck.test.slice(0, 2)).toEqual(["CMD", "node"]);
  });
});

describe("control/router.Dockerfile structure", () => {
  it("installs production dependencies plus the three tools the launcher runs (miniflare, wrangler, tsx), and copies only paths that exist", () => {
    const runs = instructions("RUN").map((i) => i.args);
    const install = runs.find((r) => /npm ci\b/.test(r)) ?? "";
    expect(install).toMatch(/npm ci --omit=dev/);
    expect(install).toMatch(/for \(const name of \["miniflare", "wrangler", "tsx"\]\)/);
    const sources = instructions("COPY").flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources).toEqual(expect.arrayContaining(["wrangler.toml", "worker/src", "contract", "control/src"]));
    for (const src of sources) expect(existsSync(path.join(REPO_ROOT, src)), src).toBe(true);
  });

  it("runs as node, exposes 8787, listens on 0.0.0.0 and runs the launcher with --router-only", () => {
    expect(instructions("USER").at(-1)?.args).toBe("node");
    expect(instructions("EXPOSE").map((i) => i.args)).toEqual(["8787"]);
    expect(envOf(image)).toMatchObject({ ROUTER_HOST: "0.0.0.0", ROUTER_PORT: "8787" });
    expect(execForm(instructions("CMD").at(-1)!.args)).toEqual(["node", "--import", "tsx", "control/src/stack/main.ts", "--router-only"]);
    expect(execForm(instructions("HEALTHCHECK").at(-1)!.args)).toEqual(router.healthcheck.test.slice(1));
  });
});

describe("compose's router command, run against local model servers", () => {
  let blue: ModelServerHandle;
  let green: ModelServerHandle;
  let stack: StackProcess;
  let stateDir: string;
  let port: number;

  beforeAll(async () => {
    [blue, green] = await Promise.all([
      startModelServer({ version: "v1", env: { ORIGIN_TOKEN } }),
      startModelServer({ version: "v2", env: { ORIGIN_TOKEN } }),
    ]);
    stateDir = await mkdtemp(path.join(tmpdir(), "bluegreen-router-container-"));
    port = await freePort();
    let command = withFlag(router.command, "--blue-origins", blue.url);
    command = withFlag(command, "--green-origins", green.url);
    command = withFlag(command, "--router-host", "127.0.0.1");
    command = command.map((part, i) => (i === 0 && part === "node" ? process.execPath : part));
    const env = { ...router.environment, ADMIN_TOKEN, ORIGIN_TOKEN, BLUEGREEN_STATE_DIR: stateDir, ROUTER_PORT: String(port) };
    stack = await startStack([], { cwd: REPO_ROOT, env, command });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop("SIGKILL");
    await Promise.all([blue?.stop(), green?.stop()]);
    await rm(stateDir, { recursive: true, force: true });
  });

  it("starts only the router and says so", () => {
    const out = stack.output();
    expect(out).toMatch(new RegExp(`✓ router +ready at http://127\\.0\\.0\\.1:${port} in local workerd`));
    expect(out).toContain(`pools blue ${blue.url} · green ${green.url}`);
    expect(out).not.toMatch(/^✓ (blue|green) /m);
    expect(out).toMatch(/· tokens +ADMIN_TOKEN and ORIGIN_TOKEN from the environment/);
  });

  it("serves blue, and green after a flip, sending the origin token", async () => {
    const predict = () =>
      fetch(`http://127.0.0.1:${port}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "great" }) });
    const first = await predict();
    expect(first.status).toBe(200);
    expect(first.headers.get("x-bluegreen-color")).toBe("blue");
    const flip = await fetch(`http://127.0.0.1:${port}/admin/flip`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ to: "green", force: true }),
    });
    expect(flip.status).toBe(200);
    const second = await predict();
    expect(second.headers.get("x-bluegreen-color")).toBe("green");
    expect(((await second.json()) as { model_version: string }).model_version).toBe("v2");
  });

  it("the healthcheck passes against it and fails against a dead port", async () => {
    const check = router.healthcheck.test.slice(1);
    expect(await exitCodeOf(check, { ROUTER_PORT: String(port) })).toBe(0);
    expect(await exitCodeOf(check, { ROUTER_PORT: String(await freePort()) })).not.toBe(0);
  });

  it("SIGTERM (docker stop) exits 0 and stops workerd", async () => {
    const pids = stack.descendants();
    expect(await stack.stop("SIGTERM")).toEqual({ code: 0, signal: null });
    await new Promise((r) => setTimeout(r, 200));
    expect(pids.filter(isAlive)).toEqual([]);
  });
});
