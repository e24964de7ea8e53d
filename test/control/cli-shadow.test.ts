// Covers `bluegreen shadow start|status|stop` end to end: the CLI as a real
// process against the real router Worker in local workerd in front of real
// model servers (blue v1, green v2) — start prints the shadowing and --json
// its ShadowView, predictions through the router are mirrored and compared
// (shadow status shows them, `status` a line), stop ends it with the gate's verdict; bad --sample
// and --for are usage errors (exit 2) that start nothing, and `rollout
// --shadow` refuses a duration that is none. The gate in front of a flip
// (rollout --shadow 30s) is test/e2e/shadow-gate.soak.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ModelServerHandle, startModelServer } from "../helpers/model-server.js";
import { type RouterHandle, startRouter } from "../helpers/router.js";
import { goldenTexts, sendGolden } from "../helpers/shadow-traffic.js";
import { jsonOf, runCli, show } from "./run-cli.js";

const ORIGIN_TOKEN = "test-origin-token-5ad0c2";
let blue: ModelServerHandle;
let green: ModelServerHandle;
let router: RouterHandle;

beforeAll(async () => {
  [blue, green] = await Promise.all([startModelServer({ version: "v1", env: { ORIGIN_TOKEN } }), startModelServer({ version: "v2", env: { ORIGIN_TOKEN } })]);
  router = await startRouter({ blueOrigins: [blue.url], greenOrigins: [green.url], originToken: ORIGIN_TOKEN });
}, 60_000);

afterAll(async () => {
  await Promise.all([router?.stop(), blue?.stop(), green?.stop()]);
});

const env = () => ({ ROUTER_URL: router.url, ADMIN_TOKEN: router.adminToken, BLUE_URL: blue.url, GREEN_URL: green.url, ORIGIN_TOKEN });

describe("bluegreen shadow", () => {
  it("start, status and stop: the mirror's counts and the gate's verdict, in text and --json", async () => {
    const started = await runCli(["shadow", "start", "--sample", "1", "--for", "2m", "--reason", "cli test"], { env: env() });
    expect(started.code, show(started)).toBe(0);
    expect(started.stdout + started.stderr).toMatch(/mirroring 100% of the predictions to green for 2m/);
    expect(started.stdout).toMatch(/shadowing\s+green behind blue at sample 1, until/);

    const answers = await sendGolden(router.url, goldenTexts(), 40, 60);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    // Mirrors are reported within REPORT_INTERVAL_MS of their end.
    let status: any;
    for (let i = 0; i < 40; i++) {
      status = jsonOf<any>(await runCli(["shadow", "status", "--json"], { env: env() }));
      if (status.shadow.sent >= 60) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(status.shadow).toMatchObject({ running: true, sample: 1, reason: "cli test", sent: 60, compared: 60, dropped: 0, verdict: "could_not_measure" });
    expect(status.shadow.verdictReason).toMatch(/only 60 of the 200 comparisons/);

    const text = await runCli(["shadow", "status"], { env: env() });
    expect(text.stdout).toMatch(/agreement\s+\d+\.\d% of 60 predictions \(95% \d+\.\d%–\d+\.\d%\)/);
    expect(text.stdout).toMatch(/verdict\s+could not measure: only 60 of the 200/);

    const overview = await runCli(["status"], { env: env() });
    expect(overview.stdout).toMatch(/shadow\s+green at sample 1, running until .*: agreement \d+\.\d% of 60; could not measure/);

    const stopped = jsonOf<any>(await runCli(["shadow", "stop", "--json"], { env: env() }));
    expect(stopped.shadow).toMatchObject({ running: false, endedBy: "stopped", sent: 60 });
  }, 60_000);

  it.each([
    [["shadow", "start", "--sample", "2"], /--sample/],
    [["shadow", "start", "--for", "10 minutes"], /--for must be a duration such as 30s, 10m or 1h/],
    [["shadow", "start", "--for", "25h"], /--for must be at most 24h/],
    [["rollout", "green", "--shadow", "soon"], /--shadow must be a duration/],
  ])("%j is a usage error (exit 2) and starts nothing", async (args, message) => {
    const before = jsonOf<any>(await runCli(["shadow", "status", "--json"], { env: env() })).shadow;
    const res = await runCli(args, { env: env() });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(jsonOf<any>(await runCli(["shadow", "status", "--json"], { env: env() })).shadow).toEqual(before);
  });
});
