// Covers control/src/bake.ts: how rollout reads the router's status after
// its flip — still baking, passed, rolled back, or superseded by another flip.
import { describe, expect, it } from "vitest";
import { assessBake } from "../../control/src/bake.js";

const e = { target: "green" as const, flipEpoch: 5 };

describe("assessBake", () => {
  it("is baking while the target is active and the phase is baking at the flip's epoch", () => {
    expect(assessBake({ active: "green", phase: "baking", epoch: 5 }, e)).toBe("baking");
  });
  it("has passed when the phase is back to stable with the target active", () => {
    expect(assessBake({ active: "green", phase: "stable", epoch: 5 }, e)).toBe("passed");
  });
  it("is rolled back when the other colour is active again", () => {
    expect(assessBake({ active: "blue", phase: "rolled_back", epoch: 6 }, e)).toBe("rolled-back");
    expect(assessBake({ active: "blue", phase: "baking", epoch: 6 }, e)).toBe("rolled-back");
  });
  it("is superseded when another flip moved the epoch with the target still active", () => {
    expect(assessBake({ active: "green", phase: "baking", epoch: 7 }, e)).toBe("superseded");
  });
});
