// Covers worker/dashboard/format.ts, how the dashboard writes figures: a
// value the status leaves out or reports as null — a model server that
// reports no version or digest, a window without requests, a probe not run
// yet — is shown as "–", never as an error or "undefined"; figures keep the
// precision the page has always shown.
import { describe, expect, it } from "vitest";
import { clockLabel, MISSING, ms, orMissing, pct, short, when } from "../../worker/dashboard/format.js";

describe("an absent value", () => {
  it.each([undefined, null])("%s is shown as –, by every formatter", (x) => {
    expect(MISSING).toBe("–");
    for (const shown of [orMissing(x), pct(x), ms(x), when(x), short(x)]) expect(shown).toBe("–");
  });

  it("an empty version or digest is shown as – too", () => {
    expect(orMissing("")).toBe("–");
    expect(short("")).toBe("–");
  });
});

describe("figures", () => {
  it("percentages: two decimals below 10%, one above", () => {
    expect(pct(0)).toBe("0.00%");
    expect(pct(0.0123)).toBe("1.23%");
    expect(pct(0.5)).toBe("50.0%");
  });

  it("milliseconds: one decimal below 10 ms, whole above", () => {
    expect(ms(3)).toBe("3.0 ms");
    expect(ms(146.4)).toBe("146 ms");
  });

  it("a digest is cut after its first 12 hex digits; a short one is kept", () => {
    expect(short(`sha256:${"0123456789abcdef".repeat(4)}`)).toBe("sha256:0123456789ab…");
    expect(short("sha256:abc")).toBe("sha256:abc");
    expect(orMissing("v2")).toBe("v2");
  });

  it("clock labels are HH:MM:SS in local time", () => {
    const at = new Date(2026, 0, 2, 3, 4, 5).getTime();
    expect(clockLabel(at)).toBe("03:04:05");
  });
});
