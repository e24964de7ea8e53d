// Covers worker/src/failover-rule.ts — the failover decision as a pure
// function, one test per condition: a counted request with FAILOVER=standby,
// a replayable body, a standby not known unhealthy and an available origin
// fails over; each missing condition alone stops it (and the origin check is
// not even asked when an earlier one already said no).
import { describe, expect, it } from "vitest";
import { mayFailover, type FailoverInput } from "../../worker/src/failover-rule.js";
import { routingState } from "../helpers/telemetry-buckets.js";

const base: FailoverInput = {
  state: routingState("green", 3),
  standby: "blue",
  failover: "standby",
  preview: null,
  replayable: true,
  standbyAvailable: () => true,
};

describe("mayFailover", () => {
  it("fails over when every condition holds, also to a standby of unknown health", () => {
    expect(mayFailover(base)).toBe(true);
    expect(mayFailover({ ...base, state: { ...base.state, health: { blue: "unknown", green: "healthy" } } })).toBe(true);
  });

  it.each<[string, Partial<FailoverInput>]>([
    ["a preview request", { preview: "green" }],
    ["FAILOVER=off", { failover: "off" }],
    ["a body that cannot be sent again", { replayable: false }],
    ["a standby known unhealthy", { state: { ...base.state, health: { blue: "unhealthy", green: "healthy" } } }],
    ["every standby origin cooling down", { standbyAvailable: () => false }],
  ])("does not fail over for %s", (_, change) => {
    expect(mayFailover({ ...base, ...change })).toBe(false);
  });

  it("asks about the standby's origins only when everything else allows a failover", () => {
    let asked = 0;
    const standbyAvailable = () => {
      asked++;
      return true;
    };
    mayFailover({ ...base, failover: "off", standbyAvailable });
    expect(asked).toBe(0);
    mayFailover({ ...base, standbyAvailable });
    expect(asked).toBe(1);
  });
});
