/**
 * GET /admin/status: everything the router and its controller know about a
 * deployment — the routing state, the bake, each colour's pool, health,
 * window metrics and label shares, the policy, the last verdict, the drift
 * rule with its baseline, whether automatic rollback is armed, the alert
 * outbox — in one strict answer. The CLI, the launcher
 * and the dashboard read it.
 */
import * as z from "zod/mini";
import { Color } from "./colors.js";
import { HistoryEntry, IsoTime } from "./history.js";
import { CONFIDENCE_BINS } from "./labels.js";
import { DRIFT_VERDICTS, RolloutPolicy, VERDICT_ACTIONS, VERDICTS } from "./policy.js";
import { OriginProbe } from "./probe.js";
import { HealthStatus, Phase } from "./routing.js";
import { ShadowView } from "./shadow.js";
import { HISTOGRAM_LENGTH } from "./telemetry.js";
import "./zod-messages.js";

const count = z.int().check(z.nonnegative());
const ms = z.number().check(z.nonnegative());

/** What one colour did over one window. */
export const WindowMetrics = z.strictObject({
  color: Color,
  /** Window length asked for. */
  seconds: z.int().check(z.positive()),
  /** First and last second counted (inclusive); `fromSecond` is later than `toSecond - seconds + 1` when the last flip cut the window. */
  fromSecond: z.int(),
  toSecond: z.int(),
  requests: count,
  errors: z.strictObject({ http5xx: count, timeout: count, connect: count, total: count }),
  /** errors.total / requests; null when there were no requests. */
  errorRate: z.nullable(z.number().check(z.gte(0), z.lte(1))),
  /** From the latency histogram; null when it holds no observations. */
  p50Ms: z.nullable(ms),
  p99Ms: z.nullable(ms),
  /** The window's latency histogram: counts per LATENCY_BUCKETS_MS bucket, then the overflow bucket. */
  latency: z.array(count).check(z.length(HISTOGRAM_LENGTH)),
});
export type WindowMetrics = z.infer<typeof WindowMetrics>;

const share = z.number().check(z.gte(0), z.lte(1));

/** One label's count and its share of all predictions. */
export const LabelShare = z.strictObject({ label: z.string(), count, share });
export type LabelShare = z.infer<typeof LabelShare>;

/**
 * What a colour answered over some time (contract/labels.ts counted): its
 * predictions (labelled and unparseable), the named labels largest first,
 * `other` (labels past the cap), `unparseable` (answers not valid per the
 * origin contract) and the confidence histogram (CONFIDENCE_BINS bins of 0.1).
 */
export const LabelMix = z.strictObject({
  predictions: count,
  labels: z.array(LabelShare),
  other: count,
  unparseable: count,
  confidence: z.array(count).check(z.length(CONFIDENCE_BINS)),
});
export type LabelMix = z.infer<typeof LabelMix>;

/** The baseline frozen at the last flip: the outgoing colour's answers over its last BASELINE_MINUTES. */
export const BaselineView = z.strictObject({
  color: Color,
  /** The epoch of the flip it was frozen at. */
  epoch: count,
  frozenAt: IsoTime,
  minutes: z.int().check(z.positive()),
  /** The span it covered (whole minutes, the last one as far as it had come). */
  from: IsoTime,
  to: IsoTime,
  mix: LabelMix,
  /** Whether it holds at least MIN_BASELINE_PREDICTIONS (`minimum`): without enough, drift is not measured. */
  enough: z.boolean(),
  minimum: count,
});
export type BaselineView = z.infer<typeof BaselineView>;

/** One window of the active colour against the baseline. */
export const DriftWindowView = z.strictObject({
  window: z.enum(["fast", "slow"]),
  verdict: z.enum(["healthy", "failed", "inconclusive"]),
  predictions: count,
  /** Total variation distance between the mixes; null when not measured. */
  tvd: z.nullable(share),
  /** Its one-sided 99.9% lower confidence bound: what must reach MAX_LABEL_SHIFT. */
  tvdLowerBound: z.nullable(share),
  pValue: z.nullable(share),
  /** The category that moved most, its share here and in the baseline. */
  label: z.nullable(z.string()),
  share: z.nullable(share),
  baselineShare: z.nullable(share),
  reason: z.string(),
});
export type DriftWindowView = z.infer<typeof DriftWindowView>;

/** The prediction-drift rule on the active colour now (docs/rollback-policy.md "Prediction drift"). */
export const DriftView = z.strictObject({
  /** The colour judged: the active one. */
  color: Color,
  verdict: z.enum(DRIFT_VERDICTS),
  /** Why: the failed window's figures, or why it could not measure or was not judged. */
  reason: z.string(),
  baseline: z.nullable(BaselineView),
  fast: z.nullable(DriftWindowView),
  slow: z.nullable(DriftWindowView),
});
export type DriftView = z.infer<typeof DriftView>;

/** A colour's health: the routing state's status and the last probe's facts. */
export const ColorHealth = z.strictObject({
  status: HealthStatus,
  /** When the last probe ran; null before the first. */
  checkedAt: z.nullable(IsoTime),
  latencyMs: z.nullable(ms),
  version: z.nullable(z.string()),
  digest: z.nullable(z.string()),
  error: z.nullable(z.string()),
  origins: z.array(OriginProbe),
});
export type ColorHealth = z.infer<typeof ColorHealth>;

/** One colour in the status: its role, its pool (each origin cooling down in the answering isolate or not), its health and windows. */
export const ColorStatus = z.strictObject({
  role: z.enum(["active", "standby"]),
  origins: z.array(z.strictObject({ url: z.string(), coolingDown: z.boolean() })),
  health: ColorHealth,
  version: z.nullable(z.string()),
  /** Fast and slow window, counting nothing before the last flip. */
  metrics: z.strictObject({ fast: WindowMetrics, slow: WindowMetrics }),
  /** What the colour answered in the same windows: its label shares. */
  predictions: z.strictObject({ fast: LabelMix, slow: LabelMix }),
});
export type ColorStatus = z.infer<typeof ColorStatus>;

/** The last evaluation of the rollback rule. */
export const Verdict = z.strictObject({
  at: IsoTime,
  /** The colour judged (the active one) and the state it was judged in. */
  color: Color,
  phase: Phase,
  epoch: z.int(),
  verdict: z.enum(VERDICTS),
  action: z.enum(VERDICT_ACTIONS),
  /** The failed window, when the verdict is failed. */
  window: z.nullable(z.enum(["fast", "slow"])),
  reason: z.string(),
});
export type Verdict = z.infer<typeof Verdict>;

/** The policy as status shows it: the rollout policy and the router's own settings. */
export const StatusPolicy = z.strictObject({
  ...RolloutPolicy.shape,
  alertsConfigured: z.boolean(),
  failover: z.enum(["standby", "off"]),
  originTimeoutMs: count,
  flagTtlMs: count,
  reportIntervalMs: count,
  maxTextChars: count,
  /** LABEL_TELEMETRY: whether the router counts the answers' labels (off: drift cannot be measured). */
  labelTelemetry: z.enum(["on", "off"]),
});
export type StatusPolicy = z.infer<typeof StatusPolicy>;

/** The bake in progress. */
export const BakeView = z.strictObject({ startedAt: IsoTime, endsAt: IsoTime, remainingSeconds: count });
export type BakeView = z.infer<typeof BakeView>;

/** The answer of GET /admin/status. */
export const AdminStatus = z.strictObject({
  deployment: z.string(),
  active: Color,
  standby: Color,
  epoch: count,
  phase: Phase,
  updatedAt: IsoTime,
  reason: z.string(),
  /** Set while the phase is `baking`. */
  bake: z.nullable(BakeView),
  colors: z.strictObject({ blue: ColorStatus, green: ColorStatus }),
  policy: StatusPolicy,
  verdict: z.nullable(Verdict),
  /** The prediction-drift rule on the active colour, with the bake's baseline. */
  drift: DriftView,
  /** Whether the controller may still roll back on its own (once per deployment, until the next manual flip). */
  autoRollbackArmed: z.boolean(),
  /** Alerts not delivered yet (retried on every alarm). */
  alerts: z.strictObject({ pending: count, oldestAt: z.nullable(IsoTime), lastError: z.nullable(z.string()) }),
  lastFlip: z.nullable(HistoryEntry),
  /** Whether KV holds the current routing state. */
  kvCurrent: z.boolean(),
  nextAlarmAt: z.nullable(IsoTime),
  /** The last (or current) shadowing of the standby (POST /admin/shadow); null when there never was one. */
  shadow: z.optional(z.nullable(ShadowView)),
});
export type AdminStatus = z.infer<typeof AdminStatus>;
