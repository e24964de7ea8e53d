// End-to-end drill (d) of docs/drills.md: the router restarted mid-bake.
// Real processes on loopback: blue = model server v1, green = v2, and the
// router run by the `npm start` launcher (control/src/stack/main.ts
// --router-only, as the compose router service runs it) on a free port with
// KV and the Durable Object persisted in a temporary state dir, 40
// predictions a second over real HTTP. Green is flipped to with a 25 s bake,
// the launcher is stopped (SIGTERM) and started again on the same port and
// state dir: phase (baking), epoch, history and the bake deadline are intact,
// traffic still goes to green, every answer the router gave was a 200 (only
// connections refused while it was down failed), and — traffic stopped 2 s
// before the deadline — the restarted controller's alarm ends the bake at its
// deadline, not before. Numbers printed with `[drill]`.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../../contract/policy.js";
import { admin, startLoad, summarize, waitUntil, type AdminTarget, type Sample } from "../helpers/drill.js";
import { type ModelServerHandle, startModelServer } from "../helpers/model-server.js";
import { freePort, startStack, type StackProcess } from "../helpers/stack.js";

const ORIGIN_TOKEN = "drill-origin-token-8e41";
const ADMIN_TOKEN = "drill-admin-token-8e41-2b7c90d1";
const BAKE_SECONDS = 25;
/** The default HEALTH_INTERVAL_SECONDS: the alarm comes at least this often, so the bake ends no later than this after its deadline. */
const HEALTH_INTERVAL_SECONDS = DEFAULT_POLICY.healthIntervalSeconds;
/** No traffic for this long before the bake's deadline: the last report is older than the deadline, only the alarm can end the bake. */
const QUIET_BEFORE_DEADLINE_MS = 2_000;

let dir: string;
let blue: ModelServerHandle;
let green: ModelServerHandle;
let router: AdminTarget;
let port: number;
const stacks: StackProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "bluegreen-drill-restart-"));
  port = await freePort();
  router = { url: `http://127.0.0.1:${port}`, adminToken: ADMIN_TOKEN };
  [blue, green] = await Promise.all([
    startModelServer({ version: "v1", env: { ORIGIN_TOKEN } }),
    startModelServer({ version: "v2", env: { ORIGIN_TOKEN } }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all(stacks.map((s) => s.stop()));
  await Promise.all([blue?.stop(), green?.stop()]);
  await rm(dir, { recursive: true, force: true });
}, 60_000);

/** Starts the launcher in router-only mode on `port`, state in `dir`/.bluegreen; resolves once its banner is printed. */
async function launchRouter(): Promise<StackProcess> {
  const args = [
    "--router-only",
    "--blue-origins", blue.url,
    "--green-origins", green.url,
    "--router-port", String(port),
    "--var", `BAKE_SECONDS=${BAKE_SECONDS}`,
    "--var", `HEALTH_INTERVAL_SECONDS=${HEALTH_INTERVAL_SECONDS}`,
  ];
  const stack = await startStack(args, { cwd: dir, env: { ADMIN_TOKEN, ORIGIN_TOKEN } });
  stacks.push(stack);
  return stack;
}

/** The parts of the status a restart must keep. */
function kept(status: any) {
  return { active: status.active, epoch: status.epoch, phase: status.phase, bake: { startedAt: status.bake?.startedAt, endsAt: status.bake?.endsAt } };
}

describe("drill: the router restarted mid-bake", () => {
  it("(d) keeps phase, epoch, history and the bake deadline; traffic stays on green; the bake ends at its deadline", async () => {
    const first = await launchRouter();
    const load = startLoad(router.url, { perSecond: 40, maxDurationMs: 90_000, timeoutMs: 5_000 });
    let samples: Sample[];
    let stopAt = 0;
    let downAt = 0;
    let upAt = 0;
    let before: any;
    let beforeHistory: any;
    let after: any;
    let beforeQuiet: any;
    let secondOutput = "";
    try {
      await waitUntil("traffic on blue", async () => (load.samples.length >= 40 ? true : undefined), 10_000);
      const flip = await admin(router, "POST", "/admin/flip", { to: "green", reason: "drill: restart mid-bake" });
      expect(flip.state).toMatchObject({ active: "green", epoch: 2, phase: "baking" });
      await sleep(3_000);
      before = await admin(router, "GET", "/admin/status");
      beforeHistory = (await admin(router, "GET", "/admin/history")).entries;

      stopAt = Date.now();
      const exit = await first.stop("SIGTERM");
      downAt = Date.now();
      expect(exit, first.output()).toEqual({ code: 0, signal: null });
      const second = await launchRouter();
      upAt = Date.now();
      secondOutput = second.output();

      after = await admin(router, "GET", "/admin/status");
      // Traffic stops shortly before the deadline, so that the alarm — not a telemetry report — has to end the bake.
      await sleep(Math.max(0, Date.parse(before.bake.endsAt) - QUIET_BEFORE_DEADLINE_MS - Date.now()));
      beforeQuiet = await admin(router, "GET", "/admin/status");
    } finally {
      samples = await load.stop();
    }
    const endsAt = Date.parse(before.bake.endsAt);
    const bakeEnded = await waitUntil("the end of the bake", async () => {
      const status = await admin(router, "GET", "/admin/status");
      return status.phase === "baking" ? undefined : { at: Date.now(), status };
    }, Math.max(0, endsAt - Date.now()) + (HEALTH_INTERVAL_SECONDS + 5) * 1000, 100);

    // Phase, epoch, history and the bake deadline survived the restart.
    expect(kept(before)).toMatchObject({ active: "green", epoch: 2, phase: "baking" });
    expect(kept(after)).toEqual(kept(before));
    expect(secondOutput).toMatch(/routing +green active · phase baking · epoch 2/);
    expect((await admin(router, "GET", "/admin/history")).entries).toEqual(beforeHistory);
    expect(beforeHistory.map((e: any) => `${e.kind} ${e.action} ${e.from}→${e.to} ${e.epoch}`)).toEqual(["manual flip blue→green 2"]);

    // The restarted controller's alarm still comes by the deadline; it then ended the bake there, not before, and green passed.
    expect(Date.parse(after.nextAlarmAt)).toBeLessThanOrEqual(endsAt);
    const lagMs = bakeEnded.at - endsAt;
    expect(lagMs).toBeGreaterThanOrEqual(0);
    expect(lagMs).toBeLessThanOrEqual(HEALTH_INTERVAL_SECONDS * 1000);
    expect(bakeEnded.status).toMatchObject({ active: "green", epoch: 2, phase: "stable" });
    expect(bakeEnded.status.reason).toMatch(/bake passed/);

    // Every answer the router gave was a 200; only requests meeting the stopped router failed (no answer).
    const answered = samples.filter((s) => s.status !== null);
    expect(answered.filter((s) => s.status !== 200).slice(0, 3)).toEqual([]);
    const unanswered = samples.filter((s) => s.status === null);
    expect(unanswered.filter((s) => s.doneAt < stopAt || s.sentAt > upAt).slice(0, 3)).toEqual([]);
    // Traffic went to green from the flip on, across the restart, at the same epoch.
    const afterFlip = answered.filter((s) => s.sentAt > Date.parse(beforeHistory[0].at) + 1_000);
    expect(afterFlip.filter((s) => s.color !== "green" || s.epoch !== 2 || s.modelVersion !== "v2").slice(0, 3)).toEqual([]);
    const afterRestart = answered.filter((s) => s.sentAt > upAt);
    expect(afterRestart.length).toBeGreaterThan(40);
    // The controller still hears the traffic after the restart (its relay was started again): at 40 a
    // second for several seconds, well over 40 more predictions reach green's slow window.
    expect(beforeQuiet.colors.green.metrics.slow.requests - after.colors.green.metrics.slow.requests).toBeGreaterThan(40);
    expect(Math.max(...samples.map((s) => s.doneAt))).toBeLessThan(endsAt);

    const seen = summarize(samples);
    console.log(
      `[drill] router restarted mid-bake: stop took ${((downAt - stopAt) / 1000).toFixed(1)} s, start ${((upAt - downAt) / 1000).toFixed(1)} s ` +
        `(router down ${((upAt - stopAt) / 1000).toFixed(1)} s); ${seen.total} requests, ${answered.length} answered (all 200), ` +
        `${unanswered.length} refused or cut while it was down; after the restart: phase ${after.phase}, epoch ${after.epoch}, ` +
        `bake ends ${after.bake.endsAt} (unchanged), next alarm ${after.nextAlarmAt}, history ${beforeHistory.length} entry (unchanged); ` +
        `${afterRestart.length} answers from the restarted router, all green epoch 2; ` +
        `traffic stopped ${QUIET_BEFORE_DEADLINE_MS} ms before the deadline and the alarm ended the bake ${lagMs} ms after it (${bakeEnded.status.reason})`,
    );
  }, 120_000);
});
