// Covers contract/shadow.ts's vars: their defaults (written once, read by
// the router's mirror and the controller's gate), and a bad value found by
// checkWorkerEnv (what `npm start` and `bluegreen check-config` run) with
// the var named and its value shown.
import { describe, expect, it } from "vitest";
import { shadowGateFromEnv, shadowRouterFromEnv } from "../../contract/shadow.js";
import { checkWorkerEnv } from "../../contract/worker-env.js";

const BASE = { DEPLOYMENT_NAME: "prod", BLUE_ORIGINS: "http://127.0.0.1:8001", GREEN_ORIGINS: "http://127.0.0.1:8002" };

describe("the shadow vars", () => {
  it("default to 16 in flight, a 2 s mirror timeout, 200 comparisons, agreement 0.7, p99 ratio 1.5", () => {
    expect(shadowRouterFromEnv({})).toEqual({ maxInFlight: 16, timeoutMs: 2_000 });
    expect(shadowGateFromEnv({ MIN_SHADOW_COMPARISONS: " " }, 0.05)).toEqual({ minComparisons: 200, minAgreement: 0.7, maxErrorRate: 0.05, maxP99Ratio: 1.5, p99FloorMs: 50 });
    expect(shadowGateFromEnv({ MIN_SHADOW_AGREEMENT: "0.8", MAX_SHADOW_P99_RATIO: "2" }, 0.01)).toMatchObject({ minAgreement: 0.8, maxP99Ratio: 2, maxErrorRate: 0.01 });
  });

  it("a bad one is a problem of checkWorkerEnv, naming the var and its value", () => {
    expect(checkWorkerEnv(BASE).problems).toEqual([]);
    const { problems } = checkWorkerEnv({ ...BASE, MIN_SHADOW_AGREEMENT: "75", SHADOW_MAX_IN_FLIGHT: "0" });
    expect(problems.map((p) => p.variable).sort()).toEqual(["MIN_SHADOW_AGREEMENT", "SHADOW_MAX_IN_FLIGHT"]);
    expect(problems.find((p) => p.variable === "MIN_SHADOW_AGREEMENT")!.message).toBe('MIN_SHADOW_AGREEMENT: must be from 0 to 1 (a rate, not a percentage) (got "75")');
  });
});
