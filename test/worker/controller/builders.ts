// Shared builders for the controller tests: reported buckets, window metrics,
// rollout inputs, and a deterministic traffic simulator.
import type { Color } from "../../../contract/colors.js";
import { DEFAULT_POLICY, type RolloutPolicy } from "../../../contract/policy.js";
import type { WindowMetrics } from "../../../contract/status.js";
import { latencyBucket, emptyCounts, type ColorCounts, type ErrorClass, type SecondBucket } from "../../../contract/telemetry.js";
import { MetricWindows } from "../../../worker/src/controller/metric-windows.js";
import { assessRollout, type Assessment, type RolloutInput } from "../../../worker/src/controller/rollback-policy.js";
import { seededRandom } from "../../helpers/seeded-random.js";

export interface CountsSpec {
  requests: number;
  /** A number means that many http5xx. */
  errors?: number | Partial<Record<ErrorClass, number>>;
  /** Every request took this long (default 20 ms), or one latency per request. */
  latencyMs?: number | number[];
}

/** ColorCounts for one second. */
export function counts(spec: CountsSpec): ColorCounts {
  const c = emptyCounts();
  c.requests = spec.requests;
  const errors = typeof spec.errors === "number" ? { http5xx: spec.errors } : (spec.errors ?? {});
  Object.assign(c.errors, errors);
  const latencies = Array.isArray(spec.latencyMs) ? spec.latencyMs : new Array<number>(spec.requests).fill(spec.latencyMs ?? 20);
  for (const ms of latencies) c.latency[latencyBucket(ms)]!++;
  return c;
}

/** A reported bucket. */
export function bucket(second: number, color: Color, spec: CountsSpec): SecondBucket {
  return { second, color, counts: counts(spec) };
}

/**
 * WindowMetrics built directly, for rule tests that do not need a ring. The
 * latency histogram has `slow` requests (default 5%) at `p99Ms` when that is
 * above 20 ms, the rest at 15 ms.
 */
export function metrics(spec: {
  color?: Color;
  seconds?: number;
  requests: number;
  errors?: number;
  p50Ms?: number | null;
  p99Ms?: number | null;
  slow?: number;
}): WindowMetrics {
  const errors = spec.errors ?? 0;
  const latency = emptyCounts().latency;
  const slow = spec.p99Ms != null && spec.p99Ms > 20 ? (spec.slow ?? Math.ceil(spec.requests * 0.05)) : 0;
  if (slow > 0) latency[latencyBucket(spec.p99Ms!)]! += slow;
  latency[latencyBucket(15)]! += spec.requests - slow;
  return {
    color: spec.color ?? "green",
    seconds: spec.seconds ?? 10,
    fromSecond: 1_000,
    toSecond: 1_000 + (spec.seconds ?? 10) - 1,
    requests: spec.requests,
    errors: { total: errors, http5xx: errors, timeout: 0, connect: 0 },
    errorRate: spec.requests === 0 ? null : errors / spec.requests,
    p50Ms: spec.p50Ms === undefined ? (spec.requests > 0 ? 15 : null) : spec.p50Ms,
    p99Ms: spec.p99Ms === undefined ? (spec.requests > 0 ? 20 : null) : spec.p99Ms,
    latency,
  };
}

/** A RolloutInput for green baking with both windows healthy and everything armed; override what the rule under test needs. */
export function rolloutInput(overrides: Partial<RolloutInput> = {}): RolloutInput {
  return {
    phase: "baking",
    active: "green",
    windows: { fast: metrics({ requests: 500, seconds: 10 }), slow: metrics({ requests: 3000, seconds: 60 }) },
    policy: DEFAULT_POLICY,
    health: { blue: "healthy", green: "healthy" },
    autoRollbackArmed: true,
    ...overrides,
  };
}

/** Windows that fail the error-rate rule on both windows (30% errors). */
export function failingWindows(color: Color = "green"): RolloutInput["windows"] {
  return {
    fast: metrics({ color, requests: 500, errors: 150, seconds: 10 }),
    slow: metrics({ color, requests: 3000, errors: 900, seconds: 60 }),
  };
}


/** `seconds` seconds of `perSecond` requests, each failing with probability `rate` (seeded, so the same on every run). */
export function randomTraffic(seed: number, rate: number, perSecond: number, seconds: number): { requests: number; errors: number }[] {
  const random = seededRandom(seed);
  return Array.from({ length: seconds }, () => {
    let errors = 0;
    for (let r = 0; r < perSecond; r++) if (random() < rate) errors++;
    return { requests: perSecond, errors };
  });
}

/** Errors in second `i` when `rate` of `perSecond` requests fail, spread evenly (exact running total). */
export function evenErrors(rate: number, perSecond: number, i: number): number {
  return Math.floor(rate * perSecond * (i + 1) + 1e-9) - Math.floor(rate * perSecond * i + 1e-9);
}

export interface SimulatedSecond {
  second: number;
  assessment: Assessment;
  /** Errors and requests since the start: what a cumulative rate (the seed's) would see. */
  cumulative: { requests: number; errors: number };
}

/**
 * Feeds one bucket per second for `traffic.length` seconds (green active,
 * baking) into a MetricWindows and assesses after every second, with the
 * recent-suffix rule unless `suffixes: false`.
 */
export function simulate(
  traffic: { requests: number; errors: number }[],
  policy: RolloutPolicy = DEFAULT_POLICY,
  options: { suffixes?: boolean } = {},
  startSecond = 1_700_000_000,
): SimulatedSecond[] {
  const windows = new MetricWindows(policy.slowWindowSeconds);
  const out: SimulatedSecond[] = [];
  const cumulative = { requests: 0, errors: 0 };
  traffic.forEach((t, i) => {
    const now = startSecond + i;
    windows.add(bucket(now, "green", { requests: t.requests, errors: t.errors }), now);
    cumulative.requests += t.requests;
    cumulative.errors += t.errors;
    const assessment = assessRollout(
      rolloutInput({
        policy,
        windows: {
          fast: windows.summarize("green", policy.fastWindowSeconds, now),
          slow: windows.summarize("green", policy.slowWindowSeconds, now),
        },
        recent: options.suffixes === false ? undefined : windows.secondTotals("green", policy.fastWindowSeconds, now),
      }),
    );
    out.push({ second: i, assessment, cumulative: { ...cumulative } });
  });
  return out;
}
