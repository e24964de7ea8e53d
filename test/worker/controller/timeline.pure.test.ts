// Covers worker/src/controller/timeline.ts: seconds bucketed into 5-second
// buckets per colour (reports of several isolates merged), requests/s over
// the seconds a bucket covers so far, error rate and p99 per bucket, empty
// buckets filled in, future-dated seconds counted now, too-old and malformed
// ones dropped, the ring reusing slots after 15 minutes, the range asked
// for, the JSON round trip for storage, and the flip/rollback markers.
import { describe, expect, it } from "vitest";
import type { HistoryEntry } from "../../../contract/history.js";
import { Timeline, TIMELINE_BUCKETS, timelineView, type TimelineJSON } from "../../../worker/src/controller/timeline.js";
import { bucket } from "./builders.js";

/** A second at the start of a 5-second bucket. */
const T = 1_700_000_000;
const FIFTEEN_MINUTES = 15 * 60;

function report(...buckets: ReturnType<typeof bucket>[]) {
  return { buckets };
}

function entry(at: number, overrides: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    at: new Date(at * 1000).toISOString(),
    from: "blue",
    to: "green",
    epoch: 2,
    kind: "manual",
    action: "flip",
    reason: "ship v2",
    actor: "alice",
    metrics: { color: "blue" },
    ...overrides,
  };
}

describe("Timeline", () => {
  it("puts the seconds of one 5-second bucket together and keeps colours apart", () => {
    const t = new Timeline();
    t.addReport(report(bucket(T, "green", { requests: 10, errors: 1 }), bucket(T + 4, "green", { requests: 30, errors: 3 })), T + 4);
    t.addReport(report(bucket(T + 5, "green", { requests: 20 }), bucket(T + 2, "blue", { requests: 7 })), T + 9);
    const green = t.points("green", T + 9, 1);
    const last = green.slice(-2);
    expect(last).toEqual([
      { at: new Date(T * 1000).toISOString(), seconds: 5, requests: 40, errors: 4, rps: 8, errorRate: 0.1, p99Ms: expect.any(Number) },
      { at: new Date((T + 5) * 1000).toISOString(), seconds: 5, requests: 20, errors: 0, rps: 4, errorRate: 0, p99Ms: expect.any(Number) },
    ]);
    expect(t.points("blue", T + 9, 1).at(-2)).toMatchObject({ requests: 7, errors: 0 });
    expect(t.points("blue", T + 9, 1).at(-1)).toMatchObject({ requests: 0, rps: 0, errorRate: null, p99Ms: null });
  });

  it("merges the same second reported by several isolates", () => {
    const t = new Timeline();
    t.addReport(report(bucket(T + 1, "green", { requests: 5, errors: 1 })), T + 1);
    t.addReport(report(bucket(T + 1, "green", { requests: 7, errors: 2 })), T + 1);
    expect(t.points("green", T + 4, 1).at(-1)).toMatchObject({ requests: 12, errors: 3 });
  });

  it("counts every class of error and takes p99 from the bucket's latency histogram", () => {
    const t = new Timeline();
    const latencies = [...new Array<number>(98).fill(10), 900, 900];
    t.addReport(report(bucket(T, "green", { requests: 100, errors: { http5xx: 1, timeout: 2, connect: 3 }, latencyMs: latencies })), T);
    const point = t.points("green", T + 4, 1).at(-1)!;
    expect(point).toMatchObject({ requests: 100, errors: 6, errorRate: 0.06 });
    expect(point.p99Ms).toBeGreaterThan(600);
    expect(point.p99Ms).toBeLessThanOrEqual(1000);
  });

  it("divides the current bucket's requests by the seconds it has covered so far", () => {
    const t = new Timeline();
    t.addReport(report(bucket(T, "blue", { requests: 50 }), bucket(T + 1, "blue", { requests: 50 })), T + 1);
    expect(t.points("blue", T + 1, 1).at(-1)).toMatchObject({ seconds: 2, requests: 100, rps: 50 });
    expect(t.points("blue", T + 4, 1).at(-1)).toMatchObject({ seconds: 5, rps: 20 });
  });

  it("answers every bucket of the range, oldest first, empty ones with zero requests", () => {
    const t = new Timeline();
    t.addReport(report(bucket(T - 60, "blue", { requests: 5 })), T);
    const points = t.points("blue", T + 2, 2);
    expect(points).toHaveLength(24);
    expect(points[0]!.at).toBe(new Date((T - 115) * 1000).toISOString());
    expect(points.at(-1)!.at).toBe(new Date(T * 1000).toISOString());
    expect(points.filter((p) => p.requests > 0).map((p) => p.at)).toEqual([new Date((T - 60) * 1000).toISOString()]);
    expect(t.points("blue", T, 15)).toHaveLength(TIMELINE_BUCKETS);
  });

  it("counts a second from the future (an isolate's clock ahead) now", () => {
    const t = new Timeline();
    expect(t.addReport(report(bucket(T + 30, "green", { requests: 3 })), T + 1)).toBe(1);
    expect(t.points("green", T + 1, 1).at(-1)).toMatchObject({ requests: 3 });
  });

  it("drops seconds older than 15 minutes and malformed buckets", () => {
    const t = new Timeline();
    const malformed = { second: T, color: "green", counts: { requests: 1, errors: { http5xx: 5, timeout: 0, connect: 0 }, latency: [] } };
    const added = t.addReport({ buckets: [bucket(T - FIFTEEN_MINUTES, "green", { requests: 9 }), malformed as never, { nonsense: true } as never] }, T);
    expect(added).toBe(0);
    expect(t.toJSON().colors.green).toEqual([]);
  });

  it("reuses a slot once its bucket is 15 minutes old, and never lets an old bucket overwrite a newer one", () => {
    const t = new Timeline();
    t.addReport(report(bucket(T, "green", { requests: 1 })), T);
    t.addReport(report(bucket(T + FIFTEEN_MINUTES, "green", { requests: 2 })), T + FIFTEEN_MINUTES);
    expect(t.toJSON().colors.green.map((b) => [b.start, b.requests])).toEqual([[T + FIFTEEN_MINUTES, 2]]);
    // A late report for the old bucket: outside the timeline now.
    t.addReport(report(bucket(T, "green", { requests: 4 })), T + FIFTEEN_MINUTES);
    expect(t.toJSON().colors.green.map((b) => [b.start, b.requests])).toEqual([[T + FIFTEEN_MINUTES, 2]]);
  });

  it("keeps at most 15 minutes per colour however long it runs", () => {
    const t = new Timeline();
    for (let s = 0; s < 2 * FIFTEEN_MINUTES; s += 5) t.addReport(report(bucket(T + s, "blue", { requests: 1 }), bucket(T + s, "green", { requests: 1 })), T + s);
    const json = t.toJSON();
    expect(json.colors.blue).toHaveLength(TIMELINE_BUCKETS);
    expect(json.colors.green).toHaveLength(TIMELINE_BUCKETS);
    expect(JSON.stringify(json).length).toBeLessThan(64 * 1024);
  });

  it("round-trips through JSON for storage and refuses malformed JSON", () => {
    const t = new Timeline();
    t.addReport(report(bucket(T, "green", { requests: 10, errors: 2, latencyMs: 40 }), bucket(T + 7, "blue", { requests: 3 })), T + 7);
    const json: TimelineJSON = JSON.parse(JSON.stringify(t.toJSON()));
    const back = Timeline.fromJSON(json);
    expect(back.toJSON()).toEqual(t.toJSON());
    expect(back.points("green", T + 9, 1)).toEqual(t.points("green", T + 9, 1));
    expect(() => Timeline.fromJSON({ version: 2 })).toThrow(/stored timeline is invalid/);
    expect(() => Timeline.fromJSON({ ...json, bucketSeconds: 10 })).toThrow(/stored timeline is invalid/);
  });
});

describe("timelineView", () => {
  it("answers the range, both colours and the flips and rollbacks in it, oldest first", () => {
    const t = new Timeline();
    t.addReport(report(bucket(T, "green", { requests: 10 })), T);
    const history = [
      entry(T + 3, { action: "rollback", kind: "auto", from: "green", to: "blue", epoch: 3, actor: "controller", reason: "errors" }),
      entry(T - 30),
      entry(T - 600, { epoch: 1, reason: "long ago" }),
    ];
    const view = timelineView(t, (T + 4) * 1000 + 500, 5, history);
    expect(view).toMatchObject({ bucketSeconds: 5, minutes: 5, to: new Date((T + 4) * 1000 + 500).toISOString() });
    expect(view.from).toBe(view.colors.blue[0]!.at);
    expect(view.colors.blue).toHaveLength(60);
    expect(view.colors.green.at(-1)).toMatchObject({ requests: 10 });
    expect(view.markers).toEqual([
      { at: new Date((T - 30) * 1000).toISOString(), action: "flip", kind: "manual", from: "blue", to: "green", epoch: 2, reason: "ship v2", actor: "alice" },
      { at: new Date((T + 3) * 1000).toISOString(), action: "rollback", kind: "auto", from: "green", to: "blue", epoch: 3, reason: "errors", actor: "controller" },
    ]);
  });
});
