// Covers worker/src/relay/relay-name.ts — which relay an isolate calls: the
// shard is stable for an isolate and a shard count, in range, spread evenly
// over isolates; relay names carry deployment, location and shard.
import { describe, expect, it } from "vitest";
import { fnv1a, relayName, shardOf, UNKNOWN_COLO } from "../../../worker/src/relay/relay-name.js";

describe("shardOf", () => {
  it("is stable, in range, and spreads 10,000 isolate ids within 10% of even over 8 shards", () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const id = crypto.randomUUID();
      const shard = shardOf(id, 8);
      expect(shardOf(id, 8)).toBe(shard);
      counts[shard]! += 1;
    }
    for (const n of counts) expect(Math.abs(n - 1250)).toBeLessThan(125);
    expect(shardOf("any", 1)).toBe(0);
  });

  it("refuses a shard count below 1 or not whole", () => {
    expect(() => shardOf("a", 0)).toThrow(RangeError);
    expect(() => shardOf("a", 1.5)).toThrow(RangeError);
  });

  it("hashes with FNV-1a (known values)", () => {
    expect(fnv1a("")).toBe(0x811c9dc5);
    expect(fnv1a("a")).toBe(0xe40c292c);
  });
});

describe("relayName", () => {
  it("names deployment, location and shard; a request without cf.colo uses UNKNOWN_COLO", () => {
    expect(relayName("prod", "LHR", 2)).toBe("prod/relay/LHR/2");
    expect(relayName("prod", "", 0)).toBe(`prod/relay/${UNKNOWN_COLO}/0`);
  });
});
