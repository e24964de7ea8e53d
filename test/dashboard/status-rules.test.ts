// Covers: worker/dashboard/status-rules.ts — the module the dashboard's
// bundle is built from, imported as it is: it offers a flip or a rollback exactly
// in the situations of test/helpers/dashboard-situations.ts where the admin
// API accepts one (test/worker/dashboard/status-rules.pure.test.ts holds the
// controller to the same table), says why an action is missing, and labels
// the verdict with the colour and epoch it judged — a previous colour's
// verdict after a flip is never shown as a verdict on the active one.
import { describe, expect, it } from "vitest";
import * as rules from "../../worker/dashboard/status-rules.js";
import { PROBE_ERROR, SITUATIONS, statusView as status, type Verdict } from "../helpers/dashboard-situations.js";

describe("the actions offered", () => {
  it.each(SITUATIONS)("%s: offered exactly when the API accepts it", (_name, s, flipAccepted, rollbackAccepted) => {
    const offered = rules.refusals(s);
    expect(offered.flip === null).toBe(flipAccepted);
    expect(offered.rollback === null).toBe(rollbackAccepted);
  });

  it("no rollback in phase rolled_back or at the first epoch, with the API's reason", () => {
    expect(rules.refusals(status("blue", 3, "rolled_back")).rollback).toBe("already rolled back to blue; flip to move traffic again");
    expect(rules.refusals(status("blue", 1, "stable")).rollback).toMatch(/^nothing to roll back/);
    expect(rules.refusals(status("green", 2, "baking"))).toEqual({ flip: null, rollback: null });
  });

  it("neither action towards an unhealthy standby, naming why", () => {
    expect(rules.refusals(status("green", 2, "baking", "unhealthy"))).toEqual({
      flip: `blue's last health probe failed (${PROBE_ERROR})`,
      rollback: `blue's last health probe failed (${PROBE_ERROR})`,
    });
  });
});

describe("the verdict line", () => {
  const onBlue: Verdict = { color: "blue", epoch: 1, verdict: "healthy", reason: "0/120 errors" };

  it("names the colour it judged when it is about the current epoch", () => {
    const line = rules.verdictLine(status("blue", 1, "stable", "healthy", onBlue));
    expect(line).toEqual({ text: "Verdict on blue: healthy — 0/120 errors", verdict: "healthy", current: true });
  });

  it("right after a flip to green, blue's verdict is not shown as the verdict on green", () => {
    const line = rules.verdictLine(status("green", 2, "baking", "healthy", onBlue));
    expect(line.text).toBe("No verdict on green yet (epoch 2). The last one, on blue at epoch 1: healthy — 0/120 errors");
    expect(line.current).toBe(false);
    expect(line.text).not.toMatch(/^Verdict on blue/);
  });

  it("after an automatic rollback, the failed verdict is shown as green's at its epoch", () => {
    const failed: Verdict = { color: "green", epoch: 2, verdict: "failed", reason: "30/30 errors" };
    const line = rules.verdictLine(status("blue", 3, "rolled_back", "healthy", failed));
    expect(line).toMatchObject({ verdict: "failed", current: false });
    expect(line.text).toBe("No verdict on blue yet (epoch 3). The last one, on green at epoch 2: failed — 30/30 errors");
  });

  it("says so when there is none", () => {
    expect(rules.verdictLine(status("blue", 1, "stable")).text).toBe("No verdict yet.");
  });
});
