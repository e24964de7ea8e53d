// Covers worker/src/relay/relay-name.ts — which relay an isolate calls: the
// shard is stable for an isolate and a shard count, in range, spread evenly
// over isolates; relay names carry deployment, location and shard, and read
// back (parseRelayName) only when they are one relayName() makes; a
// request's `cf.colo` names the location only when it reads as one.
import { describe, expect, it } from "vitest";
import { coloOf, fnv1a, parseRelayName, relayName, shardOf, UNKNOWN_COLO } from "../../../worker/src/relay/relay-name.js";

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

describe("parseRelayName", () => {
  it("reads back what relayName makes, and nothing else", () => {
    expect(parseRelayName(relayName("prod-1", "LHR", 12))).toEqual({ deployment: "prod-1", colo: "LHR", shard: 12 });
    expect(parseRelayName(relayName("prod", UNKNOWN_COLO, 0))).toEqual({ deployment: "prod", colo: UNKNOWN_COLO, shard: 0 });
    for (const bad of [undefined, "", "prod", "prod/relay/LHR", "prod/relay/LHR/x", "a/b/relay/LHR/0", "prod/relay/L-HR/0", "prod/relay/LHR/1000"]) {
      expect(parseRelayName(bad)).toBeNull();
    }
  });
});

describe("coloOf", () => {
  it("takes a request's cf.colo when it reads as a location, else UNKNOWN_COLO", () => {
    expect(coloOf({ colo: "CDG" })).toBe("CDG");
    for (const cf of [undefined, null, {}, { colo: "" }, { colo: 7 }, { colo: "../x" }, { colo: "a".repeat(17) }]) expect(coloOf(cf)).toBe(UNKNOWN_COLO);
  });
});
