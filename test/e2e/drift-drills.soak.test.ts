// End-to-end prediction-drift drills (docs/rollback-policy.md "Prediction
// drift"), with real origins on loopback — blue = model server v1, green =
// model server v2 with FAULT_CONTROL=1 (silent faults switched with PUT
// /fault) — the real router Worker in local workerd with the default drift
// policy, and the golden set's texts as traffic (seeded draws). Covers: a
// green answering constant:neutral for 60% of its predictions from its flip
// at 50 predictions/s is rolled back within 5 s, the history reason names
// prediction drift and every user answer is a 200; a green swapping
// positive and negative at 100% is rolled back within 5 s (1,000
// predictions a second: 50 batches of 20 — a swap moves the mix by a TVD of
// only 0.14, which at 50/s takes ~14 s to prove and at 500/s up to ~6 s, per
// `npm run sim:drift`); a flip whose baseline holds fewer than
// MIN_BASELINE_PREDICTIONS is never rolled back on drift, and status says
// why. The legitimate v1 → v2 release's 3-minute bake is
// drift-legitimate.soak.test.ts (npm run test:soak).
import { beforeAll, describe, expect, it } from "vitest";
import { readGoldenSet } from "../../model-server/index.js";
import { admin, setFault, startLoad, summarize, waitUntil, type Load, type Sample } from "../helpers/drill.js";
import { GOLDEN_SET_FILE } from "../helpers/model-artifacts.js";
import { drillStack } from "../helpers/drill-stack.js";
import type { RouterHandle } from "../helpers/router.js";

const ORIGIN_TOKEN = "drill-origin-token-d41f";

const stack = drillStack(ORIGIN_TOKEN);
let texts: string[];

beforeAll(async () => {
  texts = (await readGoldenSet(GOLDEN_SET_FILE)).map((e) => e.text);
});

function newRouter(): Promise<RouterHandle> {
  // A bake longer than the drill: green stays guarded the whole time.
  return stack.newRouter({ vars: { BAKE_SECONDS: "600" } });
}

/** Predictions blue answered in its slow window (the last minute): while blue has served for under a minute, what a flip would freeze. */
async function baselineSoFar(r: RouterHandle): Promise<number> {
  const status = await admin(r, "GET", "/admin/status");
  return status.colors.blue.predictions.slow.predictions;
}

/** Golden-set traffic on blue until the controller has counted `n` of its predictions; answers the load, still running. */
async function blueBaseline(r: RouterHandle, n: number, opts: { perSecond: number; batch?: number; seed: number }): Promise<Load> {
  const load = startLoad(r.url, { ...opts, texts, maxDurationMs: 120_000 });
  try {
    await waitUntil(`${n} predictions on blue`, async () => ((await baselineSoFar(r)) >= n ? true : undefined), 60_000, 250);
  } catch (err) {
    await load.stop();
    throw err;
  }
  return load;
}

/** Flips to green with the silent fault on from that moment; waits for the rollback; answers the rollback's history entry and the flip's time. */
async function flipAndWaitForRollback(r: RouterHandle, fault: { silentRate: number; silentMode: string }) {
  await setFault(stack.green.url, ORIGIN_TOKEN, fault);
  const flip = await admin(r, "POST", "/admin/flip", { to: "green", reason: `drill: ${fault.silentMode} at ${fault.silentRate * 100}%` });
  expect(flip.state).toMatchObject({ active: "green", epoch: 2, phase: "baking" });
  const flippedAt = Date.parse((await admin(r, "GET", "/admin/history")).entries[0].at);
  await waitUntil("the automatic rollback", async () => ((await admin(r, "GET", "/admin/status")).phase === "rolled_back" ? true : undefined), 30_000, 100);
  const { entries } = await admin(r, "GET", "/admin/history");
  return { rollback: entries[0], flip: entries[1], flippedAt };
}

describe("prediction-drift drills", () => {
  it("green answering constant:neutral for 60% of predictions at 50/s is rolled back within 5 s of its flip, every answer a 200", async () => {
    const r = await newRouter();
    // The baseline from batches (quick), then the bake's traffic at 50 single predictions a second.
    const warm = await blueBaseline(r, 3000, { perSecond: 50, batch: 10, seed: 11 });
    await warm.stop();
    const load = startLoad(r.url, { perSecond: 50, texts, seed: 12, maxDurationMs: 60_000 });
    let samples: Sample[];
    let outcome: Awaited<ReturnType<typeof flipAndWaitForRollback>>;
    try {
      await new Promise((res) => setTimeout(res, 1_000));
      outcome = await flipAndWaitForRollback(r, { silentRate: 0.6, silentMode: "constant:neutral" });
      await new Promise((res) => setTimeout(res, 1_000));
    } finally {
      samples = await load.stop();
    }
    const { rollback, flip, flippedAt } = outcome;
    const seen = summarize(samples);
    expect(seen.non200, JSON.stringify(samples.filter((s) => s.status !== 200).slice(0, 3))).toBe(0);
    expect(samples.some((s) => s.color === "green" && s.epoch === 2)).toBe(true);
    expect(flip.metrics).toMatchObject({ baselineColor: "blue", baselineEnough: true });
    expect(rollback).toMatchObject({ kind: "auto", action: "rollback", from: "green", to: "blue", epoch: 3, metrics: { verdict: "failed", driftVerdict: "failed" } });
    expect(rollback.reason).toMatch(/^prediction drift: neutral \d+% vs \d+% baseline, TVD 0\.\d\d \(at least 0\.\d\d\) ≥ 0\.09, p (<|=) .*rolling back to blue$/);
    const decidedMs = Date.parse(rollback.at) - flippedAt;
    console.log(`drift drill constant:neutral 60% at 50/s: rollback decided ${decidedMs} ms after the flip: ${rollback.reason}; ${seen.total} requests, ${seen.non200} non-200`);
    expect(decidedMs).toBeLessThanOrEqual(5_000);
  }, 120_000);

  it("green swapping positive and negative at 100% is rolled back within 5 s of its flip (1,000 predictions/s in batches of 20)", async () => {
    const r = await newRouter();
    const load = await blueBaseline(r, 10_000, { perSecond: 50, batch: 20, seed: 21 });
    let samples: Sample[];
    let outcome: Awaited<ReturnType<typeof flipAndWaitForRollback>>;
    try {
      outcome = await flipAndWaitForRollback(r, { silentRate: 1, silentMode: "swap:positive,negative" });
    } finally {
      samples = await load.stop();
    }
    const { rollback, flippedAt } = outcome;
    expect(summarize(samples).non200).toBe(0);
    expect(rollback).toMatchObject({ kind: "auto", action: "rollback", from: "green", to: "blue", epoch: 3 });
    expect(rollback.reason).toMatch(/^prediction drift: (positive|negative) \d+% vs \d+% baseline/);
    const decidedMs = Date.parse(rollback.at) - flippedAt;
    console.log(`drift drill swap:positive,negative 100% at 1000/s: rollback decided ${decidedMs} ms after the flip: ${rollback.reason}`);
    expect(decidedMs).toBeLessThanOrEqual(5_000);
  }, 120_000);

  it("a flip with fewer than MIN_BASELINE_PREDICTIONS of baseline is never rolled back on drift, and status says why", async () => {
    const r = await newRouter();
    const warm = await blueBaseline(r, 20, { perSecond: 20, seed: 31 });
    await warm.stop();
    expect(await baselineSoFar(r)).toBeLessThan(200);
    await setFault(stack.green.url, ORIGIN_TOKEN, { silentRate: 1, silentMode: "constant:neutral" });
    await admin(r, "POST", "/admin/flip", { to: "green", reason: "drill: too little baseline" });
    const load = startLoad(r.url, { perSecond: 50, texts, seed: 32, maxDurationMs: 60_000 });
    let samples: Sample[];
    try {
      // Long enough for a 100% constant label to be caught many times over with a baseline (~1 s at 50/s).
      await new Promise((res) => setTimeout(res, 10_000));
    } finally {
      samples = await load.stop();
    }
    expect(summarize(samples).non200).toBe(0);
    const status = await admin(r, "GET", "/admin/status");
    expect(status).toMatchObject({ active: "green", epoch: 2, phase: "baking" });
    expect(status.drift).toMatchObject({ color: "green", verdict: "inconclusive", baseline: { color: "blue", enough: false, minimum: 200 } });
    expect(status.drift.reason).toMatch(/^drift: could not measure, the baseline holds \d+ predictions of blue over its last 10 min, fewer than MIN_BASELINE_PREDICTIONS \(200\)/);
    const { entries } = await admin(r, "GET", "/admin/history");
    expect(entries.map((e: any) => e.kind)).toEqual(["manual"]);
    expect(entries[0].metrics).toMatchObject({ baselineEnough: false });
  }, 90_000);
});
