// Covers `npm start` (control/src/stack/main.ts) as a real process on free
// loopback ports in a temporary working directory: what it prints (URLs,
// `cat .dev.vars`, the next commands; never a token), the .dev.vars it
// creates (mode 0600, random 32-byte hex tokens), the README's commands run
// as CLI processes against it (status, validate, flip green, rollback),
// routing state and history surviving a restart, a busy port reported with
// exit 2 naming the part and its flag (leaving no files behind), a double
// Ctrl-C (terminal + npm) still stopping in order, SIGTERM leaving no
// process behind (also when sent to `npm start`'s npm process), and a model
// server that dies taking the stack down with exit 1.
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonOf, REPO_ROOT, runCli, show } from "../run-cli.js";
import { freeStackPorts, isAlive, portFlags, spawnStack, startStack, type StackPorts, type StackProcess } from "../../helpers/stack.js";

let dir: string;
let ports: StackPorts;
let stack: StackProcess | undefined;

const cliEnv = () => ({
  ROUTER_URL: `http://127.0.0.1:${ports.router}`,
  BLUE_URL: `http://127.0.0.1:${ports.blue}`,
  GREEN_URL: `http://127.0.0.1:${ports.green}`,
});
/** The CLI as the README runs it: from the directory holding .dev.vars, no tokens in the env. */
const cli = (args: string[]) => runCli(args, { cwd: dir, env: cliEnv(), timeoutMs: 60_000 });

async function tokens(): Promise<Record<string, string>> {
  const text = await readFile(path.join(dir, ".dev.vars"), "utf8");
  return Object.fromEntries([...text.matchAll(/^(\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
}

/** Stops the stack with `signal` and checks that it and every process it started are gone. */
async function stopAndCheckNoOrphans(s: StackProcess, signal: NodeJS.Signals = "SIGTERM") {
  const pids = s.descendants();
  expect(pids.length).toBeGreaterThanOrEqual(3); // blue, green, workerd
  const exit = await s.stop(signal);
  await new Promise((r) => setTimeout(r, 200));
  expect(pids.filter(isAlive), `still running after stop:\n${s.output()}`).toEqual([]);
  return exit;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "bluegreen-stack-"));
  ports = await freeStackPorts();
});

afterAll(async () => {
  await stack?.stop("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

describe("npm start: the local stack", () => {
  it("starts blue, green and the router, prints URLs and next commands, writes .dev.vars 0600", async () => {
    stack = await startStack(portFlags(ports), { cwd: dir });
    const out = stack.output();
    expect(out).toMatch(new RegExp(`✓ tokens +created \\.dev\\.vars \\(mode 0600\\) with random ADMIN_TOKEN and ORIGIN_TOKEN`));
    expect(out).toMatch(new RegExp(`✓ blue +sentiment v1 ready at http://127\\.0\\.0\\.1:${ports.blue}`));
    expect(out).toMatch(new RegExp(`✓ green +sentiment v2 ready at http://127\\.0\\.0\\.1:${ports.green}`));
    expect(out).toMatch(new RegExp(`✓ router +ready at http://127\\.0\\.0\\.1:${ports.router} in local workerd`));
    expect(out).toMatch(/✓ routing +blue active · phase stable · epoch 1/);
    expect(out).toContain("cat .dev.vars");
    for (const cmd of ["npm run validate", "npm run flip -- green", "npm run status", "npm run rollback", "npm run watch"]) expect(out).toContain(cmd);
    expect(out).toContain(`export ROUTER_URL=http://127.0.0.1:${ports.router}`);

    const t = await tokens();
    expect(t.ADMIN_TOKEN).toMatch(/^[0-9a-f]{64}$/);
    expect(t.ORIGIN_TOKEN).toMatch(/^[0-9a-f]{64}$/);
    expect(t.ADMIN_TOKEN).not.toBe(t.ORIGIN_TOKEN);
    expect((await stat(path.join(dir, ".dev.vars"))).mode & 0o777).toBe(0o600);
    expect(out).not.toContain(t.ADMIN_TOKEN);
    expect(out).not.toContain(t.ORIGIN_TOKEN);
  }, 90_000);

  it("serves predictions through the router, and the origins want the token it wrote", async () => {
    const res = await fetch(`http://127.0.0.1:${ports.router}/predict`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "I love it" }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-bluegreen-color")).toBe("blue");
    expect(((await res.json()) as { model_version: string }).model_version).toBe("v1");
    const direct = await fetch(`http://127.0.0.1:${ports.green}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(direct.status).toBe(401);
  });

  it("the README's commands work against it: status, validate, flip green, status", async () => {
    const status = await cli(["status"]);
    expect(status.code, show(status)).toBe(0);
    expect(status.stdout).toMatch(/^deployment +blue active · phase stable · epoch 1/m);

    const validate = await cli(["validate", "--requests", "100", "--concurrency", "10", "--max-p99-ratio", "20", "--max-p99-ms", "5000"]);
    expect(validate.code, show(validate)).toBe(0);
    expect(validate.stdout).toMatch(/✓ validate passed: green is fit to take traffic/);

    const flip = await cli(["flip", "green", "--reason", "stack test"]);
    expect(flip.code, show(flip)).toBe(0);
    expect(flip.stdout).toMatch(/✓ flipped to green: epoch 2, phase baking/);

    const after = jsonOf<{ active: string; epoch: number; phase: string }>(await cli(["status", "--json"]));
    expect(after).toMatchObject({ active: "green", epoch: 2, phase: "baking" });
    const t = await tokens();
    for (const r of [status, validate, flip]) expect(r.stdout + r.stderr).not.toContain(t.ADMIN_TOKEN);
  }, 90_000);

  it("SIGTERM stops the router, then blue and green (drained), exit 0, nothing left running", async () => {
    const exit = await stopAndCheckNoOrphans(stack!);
    expect(exit, stack!.output()).toEqual({ code: 0, signal: null });
    const out = stack!.output();
    expect(out).toMatch(/· stop +SIGTERM: stopping the router, then blue and green/);
    expect(out.indexOf("✓ router   stopped")).toBeLessThan(out.indexOf("✓ blue     stopped (exit 0, drained)"));
    expect(out).toMatch(/✓ green +stopped \(exit 0, drained\)/);
    stack = undefined;
  }, 60_000);

  it("after a restart the routing state and history are still there; rollback works", async () => {
    stack = await startStack(portFlags(ports), { cwd: dir });
    expect(stack.output()).toMatch(/· tokens +read from \.dev\.vars/);
    expect(stack.output()).toMatch(/✓ routing +green active · phase (baking|stable) · epoch 2/);

    const status = jsonOf<{ active: string; epoch: number }>(await cli(["status", "--json"]));
    expect(status).toMatchObject({ active: "green", epoch: 2 });
    const history = jsonOf<Array<{ to: string; action: string; reason: string }>>(await cli(["history", "--json"]));
    expect(history[0]).toMatchObject({ to: "green", action: "flip", reason: "stack test" });

    const rollback = await cli(["rollback"]);
    expect(rollback.code, show(rollback)).toBe(0);
    expect(rollback.stdout).toMatch(/✓ rolled back to blue: epoch 3, phase rolled_back/);
  }, 90_000);

  it("a busy port is reported with exit 2, naming the port, the part and the flag; nothing is started", async () => {
    const other = await mkdtemp(path.join(tmpdir(), "bluegreen-stack-busy-"));
    try {
      // Blue's and the router's ports are free for this second stack; green's is the running stack's.
      const free = await freeStackPorts();
      const second = spawnStack(portFlags({ blue: free.blue, green: ports.green, router: free.router }), { cwd: other });
      const exit = await second.exited;
      expect(exit.code, second.output()).toBe(2);
      expect(second.output()).toContain(`error: port ${ports.green} (green model server) is already in use — stop whatever listens there or pass --green-port.`);
      expect(second.output()).not.toMatch(/ready at/);
      expect(readdirSync(other)).toEqual([]); // no .dev.vars, no .bluegreen left behind
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  }, 60_000);

  it("a busy router port names the router", async () => {
    const other = await mkdtemp(path.join(tmpdir(), "bluegreen-stack-busy-"));
    const blocker: Server = createServer();
    try {
      const free = await freeStackPorts();
      await new Promise<void>((resolve) => blocker.listen(free.router, "127.0.0.1", resolve));
      const second = spawnStack(portFlags(free), { cwd: other });
      expect((await second.exited).code, second.output()).toBe(2);
      expect(second.output()).toContain(`port ${free.router} (router) is already in use`);
      expect(second.output()).toContain("--router-port");
    } finally {
      blocker.close();
      await rm(other, { recursive: true, force: true });
    }
  }, 60_000);

  it("Ctrl-C delivered twice at once (terminal and npm) still stops in order with exit 0", async () => {
    const s = stack!;
    s.proc.kill("SIGINT");
    s.proc.kill("SIGINT");
    const pids = s.descendants();
    const exit = await s.exited;
    expect(exit, s.output()).toEqual({ code: 0, signal: null });
    expect(s.output()).toMatch(/✓ blue +stopped \(exit 0, drained\)/);
    expect(s.output()).not.toMatch(/killing every part/);
    await new Promise((r) => setTimeout(r, 200));
    expect(pids.filter(isAlive)).toEqual([]);
    stack = undefined;
  }, 60_000);

  it("`npm start` itself: SIGTERM to npm reaches the launcher (the script execs node), which stops everything", async () => {
    const other = await mkdtemp(path.join(tmpdir(), "bluegreen-stack-npm-"));
    try {
      const free = await freeStackPorts();
      const args = [...portFlags(free), "--state-dir", path.join(other, "state"), "--dev-vars", path.join(other, ".dev.vars")];
      const viaNpm = await startStack(args, { cwd: REPO_ROOT, command: ["npm", "start", "--"] });
      const pids = viaNpm.descendants();
      expect(pids.length).toBeGreaterThanOrEqual(4); // node launcher, blue, green, workerd
      const exit = await viaNpm.stop("SIGTERM");
      await new Promise((r) => setTimeout(r, 300));
      expect(pids.filter(isAlive), viaNpm.output()).toEqual([]);
      expect(viaNpm.output()).toMatch(/✓ green +stopped \(exit 0, drained\)/);
      expect(exit.signal === "SIGTERM" || exit.code === 0 || exit.code === 143).toBe(true);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  }, 90_000);

  it("a model server that dies takes the stack down: exit 1, names the part, stops the rest", async () => {
    stack = await startStack([...portFlags(ports), "--reset"], { cwd: dir });
    expect(stack.output()).toMatch(/✓ state +wiped \.bluegreen \(--reset\)/);
    expect(stack.output()).toMatch(/✓ routing +blue active · phase stable · epoch 1/);
    const pids = stack.descendants();
    const green = await fetch(`http://127.0.0.1:${ports.green}/health`).then((r) => r.json() as Promise<{ model_version: string }>);
    expect(green.model_version).toBe("v2");
    // Find green's model server among the children by the port it listens on, and kill it hard.
    const greenPid = pids.find((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(`PORT=${ports.green}`);
      } catch {
        return false;
      }
    });
    expect(greenPid).toBeDefined();
    process.kill(greenPid!, "SIGKILL");
    const exit = await stack.exited;
    expect(exit.code, stack.output()).toBe(1);
    expect(stack.output()).toContain("error: the green model server exited on its own (SIGKILL).");
    await new Promise((r) => setTimeout(r, 200));
    expect(pids.filter(isAlive)).toEqual([]);
    stack = undefined;
  }, 90_000);
});
