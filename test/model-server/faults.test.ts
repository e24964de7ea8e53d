// Covers: the model server's faults.ts — the fault decision (rate, latency),
// partial updates, and the strict `PUT /fault` body schema.
import { describe, expect, it } from "vitest";
import { FaultUpdate, Faults } from "../../model-server/index.js";

describe("Faults", () => {
  it("never fails at rate 0 and always at rate 1", () => {
    expect(new Faults({ rate: 0, latencyMs: 0 }, () => 0).decide().fail).toBe(false);
    expect(new Faults({ rate: 1, latencyMs: 0 }, () => 0.999).decide().fail).toBe(true);
  });

  it("fails when the draw is below the rate", () => {
    const draws = [0.1, 0.5, 0.29, 0.3];
    const f = new Faults({ rate: 0.3, latencyMs: 7 }, () => draws.shift()!);
    expect([1, 2, 3, 4].map(() => f.decide())).toEqual([
      { fail: true, delayMs: 7 },
      { fail: false, delayMs: 7 },
      { fail: true, delayMs: 7 },
      { fail: false, delayMs: 7 },
    ]);
  });

  it("applies partial updates and keeps the other field", () => {
    const f = new Faults({ rate: 0.2, latencyMs: 50 });
    expect(f.update({ rate: 0 })).toEqual({ rate: 0, latencyMs: 50 });
    expect(f.update({ latencyMs: 0 })).toEqual({ rate: 0, latencyMs: 0 });
  });

  it("hands out copies of its settings", () => {
    const f = new Faults({ rate: 0.2, latencyMs: 0 });
    f.settings.rate = 1;
    expect(f.settings.rate).toBe(0.2);
  });
});

describe("FaultUpdate schema", () => {
  it.each([
    [{ rate: 0.5 }],
    [{ latencyMs: 100 }],
    [{ rate: 1, latencyMs: 0 }],
  ])("accepts %j", (body) => {
    expect(FaultUpdate.safeParse(body).success).toBe(true);
  });

  it.each([
    [{}],
    [{ rate: 1.5 }],
    [{ rate: -0.1 }],
    [{ rate: "0.5" }],
    [{ latencyMs: 1.5 }],
    [{ latencyMs: -1 }],
    [{ rate: 0.1, extra: true }],
    [null],
  ])("rejects %j", (body) => {
    expect(FaultUpdate.safeParse(body).success).toBe(false);
  });
});
