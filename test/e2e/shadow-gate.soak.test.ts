// The shadow gate in front of a flip, end to end (docs/rollback-policy.md
// "Shadow gate"): `bluegreen rollout green --shadow 30s` as a CLI process
// against the real router in workerd, blue = model server v1 serving
// golden-set texts at 25 predictions/s. Against a green that answers
// `neutral` to 60% of predictions (silent fault constant:neutral) it exits 1
// with the gate's reason and nothing is flipped; against v2 the gate passes
// and the rollout flips and passes its bake. Each takes ≥ 30 s of real time,
// so they run in `npm run test:soak`, side by side.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, setFault } from "../helpers/drill.js";
import { type ModelServerHandle, startModelServer } from "../helpers/model-server.js";
import { type RouterHandle, startRouter } from "../helpers/router.js";
import { goldenTexts, sendGolden } from "../helpers/shadow-traffic.js";
import { type CliResult, runCli, show } from "../control/run-cli.js";

const ORIGIN_TOKEN = "shadow-gate-token-41b9";
const RPS = 25;
/** Validation that lets a silently wrong green through, so the shadow gate is what stops it. */
const LENIENT_VALIDATE = ["--requests", "60", "--concurrency", "6", "--max-p99-ratio", "20", "--max-p99-ms", "5000", "--min-accuracy", "0", "--max-regression", "1", "--interval", "0.5"];
const texts = goldenTexts();

let blue: ModelServerHandle;
let green: ModelServerHandle;
let neutralGreen: ModelServerHandle;
const routers: RouterHandle[] = [];

beforeAll(async () => {
  [blue, green, neutralGreen] = await Promise.all([
    startModelServer({ version: "v1", env: { ORIGIN_TOKEN } }),
    startModelServer({ version: "v2", env: { ORIGIN_TOKEN } }),
    startModelServer({ version: "v2", env: { ORIGIN_TOKEN, FAULT_CONTROL: "1" } }),
  ]);
  await setFault(neutralGreen.url, ORIGIN_TOKEN, { silentRate: 0.6, silentMode: "constant:neutral" });
}, 60_000);

afterAll(async () => {
  await Promise.all([...routers.map((r) => r.stop()), blue?.stop(), green?.stop(), neutralGreen?.stop()]);
});

async function rollout(standby: ModelServerHandle): Promise<{ r: RouterHandle; res: CliResult }> {
  const r = await startRouter({
    blueOrigins: [blue.url],
    greenOrigins: [standby.url],
    originToken: ORIGIN_TOKEN,
    vars: { BAKE_SECONDS: "8", HEALTH_INTERVAL_SECONDS: "1", FAST_WINDOW_SECONDS: "5", REPORT_INTERVAL_MS: "250", FLAG_TTL_MS: "250" },
  });
  routers.push(r);
  const env = { ROUTER_URL: r.url, ADMIN_TOKEN: r.adminToken, BLUE_URL: blue.url, GREEN_URL: standby.url, ORIGIN_TOKEN };
  const traffic = sendGolden(r.url, texts, RPS, RPS * 60);
  const res = await runCli(["rollout", "green", "--shadow", "30s", ...LENIENT_VALIDATE, "--bake-timeout", "40"], { env, timeoutMs: 120_000 });
  const answers = await traffic;
  expect(answers.filter((a) => a.status !== 200)).toEqual([]);
  return { r, res };
}

describe.concurrent("rollout --shadow 30s", () => {
  it("against a green answering neutral to 60%: exits 1 with the gate's reason, nothing flipped", async () => {
    const { r, res } = await rollout(neutralGreen);
    expect(res.code, show(res)).toBe(1);
    expect(res.stderr).toMatch(/the shadow gate failed green; nothing was flipped/);
    expect(res.stderr).toMatch(/agreed with the active colour on \d+ of \d+ predictions .* < MIN_SHADOW_AGREEMENT 70\.0%/);
    const status = await admin(r, "GET", "/admin/status");
    expect(status).toMatchObject({ active: "blue", epoch: 1, phase: "stable" });
    // The CLI reads the verdict a few seconds after the end, when the controller has ended it itself.
    expect(status.shadow).toMatchObject({ running: false, endedBy: "expired", verdict: "failed" });
    console.log(`neutral green: ${status.shadow.compared} compared, agreement ${(status.shadow.agreement.rate * 100).toFixed(1)}% (lower ${(status.shadow.agreement.lower * 100).toFixed(1)}%)`);
    const { entries } = await admin(r, "GET", "/admin/history");
    expect(entries.map((e: any) => e.action)).toEqual(["shadow_end", "shadow_start"]);
  });

  it("against v2: the gate passes, the rollout flips and passes its bake (exit 0)", async () => {
    const { r, res } = await rollout(green);
    expect(res.code, show(res)).toBe(0);
    expect(res.stdout + res.stderr).toMatch(/gate passed: agreement/);
    const status = await admin(r, "GET", "/admin/status");
    expect(status).toMatchObject({ active: "green", epoch: 2 });
    expect(status.shadow).toMatchObject({ verdict: "passed", endedBy: "expired" });
    console.log(`v2 green: ${status.shadow.compared} compared, agreement ${(status.shadow.agreement.rate * 100).toFixed(1)}% (lower ${(status.shadow.agreement.lower * 100).toFixed(1)}%)`);
    const { entries } = await admin(r, "GET", "/admin/history");
    expect(entries.map((e: any) => e.action).slice(-3)).toEqual(["flip", "shadow_end", "shadow_start"]);
  });
});
