// The calibration of MIN_SHADOW_AGREEMENT (docs/rollback-policy.md "Shadow
// gate"), replayed from the shipped models on the golden set: v1 and v2
// agree on 85.1% of it; a standby answering `neutral` to 60% of predictions
// (silent fault constant:neutral) and v2 otherwise agrees with v1 on about
// 61.9%. The shadow gate with its defaults passes v2 from 200 comparisons on
// and fails the neutral one at any count, with seeded draws of the texts.
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../control/sim/engine/rng.js";
import { shadowGateFromEnv } from "../../contract/shadow.js";
import { emptyShadowCounts, latencyBucket } from "../../contract/telemetry.js";
import { loadModel } from "../../model-server/index.js";
import { judgeShadow } from "../../worker/src/controller/shadow-gate.js";
import { SHIPPED_MODELS_DIR } from "../helpers/model-artifacts.js";
import { goldenTexts } from "../helpers/shadow-traffic.js";

const texts = goldenTexts();
let v1: string[];
let v2: string[];

beforeAll(async () => {
  const dir = path.join(SHIPPED_MODELS_DIR, "sentiment");
  const [m1, m2] = await Promise.all([loadModel(path.join(dir, "v1")), loadModel(path.join(dir, "v2"))]);
  v1 = texts.map((t) => m1.predict(t).prediction);
  v2 = texts.map((t) => m2.predict(t).prediction);
});

/** `n` seeded draws of golden texts; the standby answers v2, or `neutral` with probability `neutralRate`. */
function replay(n: number, neutralRate: number, seed: number) {
  const rng = new Rng(seed);
  const counts = emptyShadowCounts();
  for (let i = 0; i < n; i++) {
    const t = Math.floor(rng.uniform() * texts.length);
    const neutral = rng.uniform() < neutralRate;
    const standby = neutral ? "neutral" : v2[t];
    counts.sent += 1;
    counts.compared += 1;
    if (standby === v1[t]) counts.agreed += 1;
    counts.activeLatency[latencyBucket(5)]! += 1;
    counts.standbyLatency[latencyBucket(5)]! += 1;
  }
  return counts;
}

describe("MIN_SHADOW_AGREEMENT's calibration on the golden set", () => {
  const gate = shadowGateFromEnv({}, 0.05);

  it("v1 and v2 agree on 85.1% of the golden set", () => {
    const same = v1.filter((l, i) => l === v2[i]).length;
    expect((same / texts.length).toFixed(3)).toBe("0.851");
  });

  it.each([200, 500, 1000])("v2 shadowed behind v1 passes with %i comparisons (5 seeds)", (n) => {
    for (let seed = 1; seed <= 5; seed++) expect(judgeShadow(replay(n, 0, seed), gate).verdict).toBe("passed");
  });

  it.each([200, 500, 1000])("a standby answering neutral to 6 predictions in 10 fails with %i comparisons (5 seeds)", (n) => {
    for (let seed = 1; seed <= 5; seed++) {
      const r = judgeShadow(replay(n, 0.6, seed), gate);
      expect(r.verdict).toBe("failed");
      expect(r.rule).toBe("agreement");
    }
  });
});
