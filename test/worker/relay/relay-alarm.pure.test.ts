// Covers worker/src/relay/relay-alarm.ts — when a relay sets its alarm: only
// sooner than the one it set while that one is still ahead; again once the
// one it set has passed (fired, or dropped by the runtime); never for a
// fraction of a millisecond or for the millisecond it is in; not at all
// when nothing is wanted.
import { describe, expect, it } from "vitest";
import { alarmToSet } from "../../../worker/src/relay/relay-alarm.js";

describe("alarmToSet", () => {
  it("sets the wanted time when none is set, and nothing when nothing is wanted", () => {
    expect(alarmToSet(2_000, null, 1_000)).toBe(2_000);
    expect(alarmToSet(null, null, 1_000)).toBeNull();
    expect(alarmToSet(null, 1_500, 1_000)).toBeNull();
  });

  it("moves an alarm still ahead only sooner: one storage write per forward at most", () => {
    expect(alarmToSet(2_000, 1_500, 1_000)).toBeNull();
    expect(alarmToSet(1_500, 1_500, 1_000)).toBeNull();
    expect(alarmToSet(1_200, 1_500, 1_000)).toBe(1_200);
  });

  it("sets it again once the one it set has passed, however late the wanted time", () => {
    expect(alarmToSet(5_000, 999, 1_000)).toBe(5_000);
    expect(alarmToSet(5_000, 1_000, 1_000)).toBe(5_000);
  });

  it("rounds up to whole milliseconds, at least 1 ms ahead", () => {
    expect(alarmToSet(1_000.048, null, 1_000)).toBe(1_001);
    expect(alarmToSet(1_500.2, null, 1_000)).toBe(1_501);
    expect(alarmToSet(900, null, 1_000)).toBe(1_001);
  });
});
