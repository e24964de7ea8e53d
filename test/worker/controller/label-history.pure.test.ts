// Covers worker/src/controller/label-history.ts: predictions counted per
// colour and minute (several reports merged), buckets without predictions
// or malformed ones skipped, future-dated seconds counted now, minutes 60 or
// more before now refused, the ring reusing a slot for a newer minute (and
// refusing an older one), spans over the minutes asked for (1–60), and the
// JSON round trip for storage.
import { describe, expect, it } from "vitest";
import { emptyLabelCounts, type LabelCounts } from "../../../contract/labels.js";
import { LABEL_HISTORY_MINUTES, LabelHistory } from "../../../worker/src/controller/label-history.js";
import { bucket } from "./builders.js";

/** A second at the start of a minute. */
const T = 1_700_000_040;
const M = T / 60;

function labels(pairs: Array<[string, number]>, unparseable = 0): LabelCounts {
  return { ...emptyLabelCounts(), labels: pairs, unparseable };
}

function predicted(second: number, color: "blue" | "green", counts: LabelCounts) {
  return { ...bucket(second, color, { requests: 1 }), counts: { ...bucket(second, color, { requests: 1 }).counts, predictions: counts } };
}

describe("LabelHistory", () => {
  it("counts predictions per colour and minute, merging reports, and skips buckets without predictions or malformed ones", () => {
    const h = new LabelHistory();
    const added = h.addReport(
      {
        buckets: [
          predicted(T, "green", labels([["positive", 3]])),
          predicted(T + 59, "green", labels([["positive", 1], ["negative", 2]])),
          predicted(T + 1, "blue", labels([["neutral", 5]], 1)),
          bucket(T + 2, "green", { requests: 4 }),
          { second: "soon", color: "green" },
        ],
      },
      T + 59,
    );
    expect(added).toBe(3);
    expect(h.addReport({ buckets: [predicted(T + 30, "green", labels([["negative", 1]]))] }, T + 59)).toBe(1);
    expect(h.span("green", T + 59, 1)).toEqual({ counts: labels([["positive", 4], ["negative", 3]]), fromMinute: M, toMinute: M });
    expect(h.span("blue", T + 59, 1).counts).toEqual(labels([["neutral", 5]], 1));
  });

  it("counts a future second now, refuses minutes 60 or more before now, and spans the minutes asked for (1 to 60)", () => {
    const h = new LabelHistory();
    const now = T + 10 * 60;
    expect(h.addReport({ buckets: [predicted(now + 120, "green", labels([["a", 1]]))] }, now)).toBe(1);
    expect(h.addReport({ buckets: [predicted(now - LABEL_HISTORY_MINUTES * 60, "green", labels([["a", 1]]))] }, now)).toBe(0);
    expect(h.addReport({ buckets: [predicted(now - (LABEL_HISTORY_MINUTES - 1) * 60, "green", labels([["a", 2]]))] }, now)).toBe(1);
    expect(h.addReport({ buckets: [predicted(now - 5 * 60, "green", labels([["a", 4]]))] }, now)).toBe(1);
    expect(h.span("green", now, 1).counts).toEqual(labels([["a", 1]]));
    expect(h.span("green", now, 6)).toEqual({ counts: labels([["a", 5]]), fromMinute: M + 5, toMinute: M + 10 });
    expect(h.span("green", now, 600)).toEqual({ counts: labels([["a", 7]]), fromMinute: M + 10 - LABEL_HISTORY_MINUTES + 1, toMinute: M + 10 });
    expect(h.span("green", now, 0).fromMinute).toBe(M + 10);
  });

  it("reuses a slot for a newer minute and refuses an older one for a slot that holds a newer minute", () => {
    const h = new LabelHistory();
    h.addReport({ buckets: [predicted(T, "blue", labels([["x", 1]]))] }, T);
    const later = T + LABEL_HISTORY_MINUTES * 60; // the same slot, one turn of the ring on
    expect(h.addReport({ buckets: [predicted(later, "blue", labels([["y", 2]]))] }, later)).toBe(1);
    expect(h.span("blue", later, LABEL_HISTORY_MINUTES).counts).toEqual(labels([["y", 2]]));
    // Restored from storage (no "now"): an older minute for a slot holding a newer one is refused.
    const json = h.toJSON();
    const restored = LabelHistory.fromJSON({ ...json, colors: { ...json.colors, blue: [{ minute: M + LABEL_HISTORY_MINUTES, counts: labels([["y", 2]]) }, { minute: M, counts: labels([["x", 1]]) }] } });
    expect(restored.span("blue", later, LABEL_HISTORY_MINUTES).counts).toEqual(labels([["y", 2]]));
  });

  it("round-trips through JSON (only the minutes holding counts, oldest first) and refuses malformed JSON", () => {
    const h = new LabelHistory();
    h.addReport({ buckets: [predicted(T + 120, "green", labels([["b", 2]])), predicted(T, "green", labels([["a", 1]])), predicted(T, "blue", labels([], 3))] }, T + 120);
    const json = h.toJSON();
    expect(json).toEqual({
      version: 1,
      colors: {
        blue: [{ minute: M, counts: labels([], 3) }],
        green: [
          { minute: M, counts: labels([["a", 1]]) },
          { minute: M + 2, counts: labels([["b", 2]]) },
        ],
      },
    });
    expect(LabelHistory.fromJSON(JSON.parse(JSON.stringify(json))).toJSON()).toEqual(json);
    // The JSON is a copy: counting more does not change what was serialized.
    h.addReport({ buckets: [predicted(T, "green", labels([["a", 5]]))] }, T + 120);
    expect(json.colors.green[0]!.counts).toEqual(labels([["a", 1]]));
    expect(() => LabelHistory.fromJSON({ version: 2, colors: { blue: [], green: [] } })).toThrow(TypeError);
  });
});
