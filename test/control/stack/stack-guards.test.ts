// Covers the launcher's guards (control/src/stack/), as a real `npm start`
// process on free loopback ports in a temporary directory: a bad router var
// (`--var BAKE_SECONDS=abc`) refused with exit 2 naming the var before
// anything starts; a hand-made 0644 .dev.vars made 0600 with one line saying
// so; and a router whose workerd dies taking the stack down with exit 1, a
// message naming the router, and no process left behind.
import { readdirSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeStackPorts, isAlive, portFlags, spawnStack, startStack, type StackPorts, type StackProcess } from "../../helpers/stack.js";

let dir: string;
let ports: StackPorts;
let stack: StackProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "bluegreen-guards-"));
  ports = await freeStackPorts();
});
afterAll(async () => {
  await stack?.stop("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

/** True when something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

/** The command name of a process, from /proc. */
function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

describe("npm start guards", () => {
  it("refuses a bad router var with exit 2, naming it, before starting anything", async () => {
    const s = spawnStack([...portFlags(ports), "--var", "BAKE_SECONDS=abc"], { cwd: dir });
    const exit = await s.exited;
    const out = s.output();
    expect(exit.code, out).toBe(2);
    expect(out).toContain("error: Bad router var BAKE_SECONDS: the router would not run with it.");
    expect(out).toContain('why: BAKE_SECONDS: must be a whole number (got "abc"), from --var');
    expect(out).toContain("npm run check-config");
    expect(out).not.toMatch(/ports .* free|ready at/);
    expect(readdirSync(dir)).toEqual([]); // no .dev.vars, no .bluegreen
    for (const port of Object.values(ports)) expect(await listening(port)).toBe(false);
  }, 60_000);

  it("makes a hand-made 0644 .dev.vars 0600, with one line saying so", async () => {
    const file = path.join(dir, ".dev.vars");
    await writeFile(file, "ADMIN_TOKEN=hand-made-admin-token-0123456789abcdef\nORIGIN_TOKEN=hand-made-origin-token-0123456789abcdef\n");
    await chmod(file, 0o644);
    stack = await startStack(portFlags(ports), { cwd: dir });
    const out = stack.output();
    expect(out.match(/^! tokens +\.dev\.vars was mode 0644, readable by others: made it 0600, as it holds tokens$/gm)).toHaveLength(1);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(out).not.toContain("hand-made-admin-token");
  }, 90_000);

  it("a router whose workerd dies takes the stack down: exit 1, names the router, stops the rest", async () => {
    const s = stack!;
    const pids = s.descendants();
    const workerd = pids.filter((pid) => commOf(pid) === "workerd");
    expect(workerd, `no workerd among ${pids.join(",")}`).toHaveLength(1);
    process.kill(workerd[0]!, "SIGKILL");
    const exit = await s.exited;
    const out = s.output();
    expect(exit.code, out).toBe(1);
    expect(out).toContain("error: the router (local workerd) exited on its own (workerd's process ended).");
    expect(out).toMatch(/✓ blue +stopped \(exit 0, drained\)/);
    expect(out).toMatch(/✓ green +stopped \(exit 0, drained\)/);
    await new Promise((r) => setTimeout(r, 200));
    expect(pids.filter(isAlive)).toEqual([]);
    for (const port of Object.values(ports)) expect(await listening(port)).toBe(false);
    stack = undefined;
  }, 60_000);
});
