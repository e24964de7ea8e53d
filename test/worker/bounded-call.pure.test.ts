// Covers bounded-call.ts: a call that answers in time gives its answer or its
// error; one that does not is a CallTimeout, and its late outcome is dropped.
import { describe, expect, it } from "vitest";
import { CallTimeout, within } from "../../worker/src/bounded-call.js";

const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(resolve, ms, value));

describe("within", () => {
  it("gives the call's answer when it comes in time", async () => {
    await expect(within(later(5, "answer"), 1_000, "a call")).resolves.toBe("answer");
  });

  it("gives the call's own error when it fails in time", async () => {
    await expect(within(Promise.reject(new Error("refused")), 1_000, "a call")).rejects.toThrow("refused");
  });

  it("is a CallTimeout naming the call when no answer comes, and drops a late failure", async () => {
    const never = new Promise<never>(() => {});
    const started = Date.now();
    const err = await within(never, 30, "sync with relay r").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallTimeout);
    expect(String(err)).toBe("CallTimeout: sync with relay r: no answer within 30 ms");
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    // A call that fails after its bound raises no unhandled rejection (the race holds its handler).
    const late = new Promise<never>((_, reject) => setTimeout(reject, 20, new Error("late")));
    await expect(within(late, 5, "a call")).rejects.toBeInstanceOf(CallTimeout);
    await later(30, null);
  });
});
