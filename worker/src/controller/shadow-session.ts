/**
 * The controller's record of the last shadowing (docs/storage.md key
 * `shadow`): its settings, the mirror's counts added up from the isolates'
 * reports, and the agreement per 10 seconds; pure functions to start, fold
 * reports into, end and show it. deployment-controller.ts stores it and
 * puts the routing state's `shadow` field on and off.
 */
import * as z from "zod/mini";
import { Color, otherColor } from "../../../contract/colors.js";
import type { HistoryEntry } from "../../../contract/history.js";
import type { RoutingState } from "../../../contract/routing.js";
import { SHADOW_ENDINGS, type ShadowEnding, type ShadowGateSettings, type ShadowView } from "../../../contract/shadow.js";
import { addShadowCounts, emptyShadowCounts, ShadowCountsSchema, type SecondBucket } from "../../../contract/telemetry.js";
import { percentileMs } from "./histogram.js";
import { judgeShadow } from "./shadow-gate.js";
import { problemOf } from "./stored-shapes.js";

/** Seconds per point of the agreement series, and the most points kept (one hour). */
export const SHADOW_SERIES_STEP_SECONDS = 10;
export const SHADOW_SERIES_MAX_POINTS = 360;
/** Mirrors still in flight at the end are reported a little later: buckets up to this long after it still count. */
export const SHADOW_LATE_MS = 5_000;

const whole = z.int().check(z.nonnegative());

/** The stored shape. */
export const ShadowSessionSchema = z.object({
  sample: z.number().check(z.gte(0), z.lte(1)),
  reason: z.string(),
  actor: z.string(),
  active: Color,
  standby: Color,
  epoch: whole,
  startedAt: whole,
  endsAt: whole,
  endedAt: z.nullable(whole),
  endedBy: z.nullable(z.enum(SHADOW_ENDINGS)),
  counts: ShadowCountsSchema,
  series: z.array(z.object({ second: whole, compared: whole, agreed: whole })),
});
export type ShadowSession = z.infer<typeof ShadowSessionSchema>;

/** Reads the stored value: the session, or null with the problem (the value is then dropped). */
export function readShadowSession(raw: unknown): { session: ShadowSession | null; problem: string | null } {
  if (raw === undefined || raw === null) return { session: null, problem: null };
  const parsed = ShadowSessionSchema.safeParse(raw);
  return parsed.success ? { session: parsed.data, problem: null } : { session: null, problem: problemOf(parsed.error) };
}

/** A new shadowing of `state`'s standby. */
export function startSession(state: RoutingState, o: { sample: number; seconds: number; reason: string; actor: string; nowMs: number }): ShadowSession {
  return {
    sample: o.sample,
    reason: o.reason,
    actor: o.actor,
    active: state.active,
    standby: otherColor(state.active),
    epoch: state.epoch,
    startedAt: o.nowMs,
    endsAt: o.nowMs + o.seconds * 1000,
    endedAt: null,
    endedBy: null,
    counts: emptyShadowCounts(),
    series: [],
  };
}

/** The routing state with shadowing on for `session`, or off (null); updatedAt moves so isolates and KV take it. */
export function withShadow(state: RoutingState, session: ShadowSession | null, nowMs: number): RoutingState {
  const next: RoutingState = { ...state, updatedAt: Math.max(nowMs, state.updatedAt + 1) };
  if (session === null) delete next.shadow;
  else next.shadow = { sample: session.sample, endsAt: session.endsAt, epoch: session.epoch };
  return next;
}

/** Whether the session is still mirroring. */
export function running(session: ShadowSession): boolean {
  return session.endedAt === null;
}

/** Why a running session must end now (its epoch is gone, or its time is up), or null. */
export function dueEnding(session: ShadowSession, state: RoutingState, nowMs: number): ShadowEnding | null {
  if (!running(session)) return null;
  if (state.epoch !== session.epoch) return "epoch_changed";
  if (nowMs >= session.endsAt) return "expired";
  return null;
}

/** The session ended at `nowMs` for `why`. */
export function endSession(session: ShadowSession, why: ShadowEnding, nowMs: number): ShadowSession {
  return { ...session, endedAt: Math.min(nowMs, session.endsAt), endedBy: why };
}

/**
 * Adds a report's buckets' shadow counts to the session (a new object), or
 * answers null when none belongs to it: buckets of its standby, from its
 * start to its end plus SHADOW_LATE_MS. Buckets that do not parse are skipped.
 */
export function foldReport(session: ShadowSession, buckets: readonly unknown[]): ShadowSession | null {
  const fromSecond = Math.floor(session.startedAt / 1000);
  const toSecond = Math.floor(((session.endedAt ?? session.endsAt) + SHADOW_LATE_MS) / 1000);
  let next: ShadowSession | null = null;
  for (const raw of buckets) {
    const b = raw as Partial<SecondBucket> | null;
    if (b === null || typeof b !== "object" || b.counts?.shadow === undefined || b.color !== session.standby) continue;
    if (typeof b.second !== "number" || b.second < fromSecond || b.second > toSecond) continue;
    const parsed = ShadowCountsSchema.safeParse(b.counts.shadow);
    if (!parsed.success) continue;
    next ??= { ...session, counts: structuredClone(session.counts), series: [...session.series] };
    addShadowCounts(next.counts, parsed.data);
    const step = Math.floor(b.second / SHADOW_SERIES_STEP_SECONDS) * SHADOW_SERIES_STEP_SECONDS;
    const i = next.series.findIndex((p) => p.second === step);
    if (i === -1) {
      next.series.push({ second: step, compared: parsed.data.compared, agreed: parsed.data.agreed });
      next.series.sort((p, q) => p.second - q.second);
      if (next.series.length > SHADOW_SERIES_MAX_POINTS) next.series.splice(0, next.series.length - SHADOW_SERIES_MAX_POINTS);
    } else {
      const p = next.series[i]!;
      next.series[i] = { second: step, compared: p.compared + parsed.data.compared, agreed: p.agreed + parsed.data.agreed };
    }
  }
  return next;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The session as status shows it, judged by the gate now. */
export function shadowView(session: ShadowSession, gate: ShadowGateSettings): ShadowView {
  const c = session.counts;
  const judged = judgeShadow(c, gate);
  const errors = c.errors.http5xx + c.errors.timeout + c.errors.connect;
  return {
    running: running(session),
    sample: session.sample,
    reason: session.reason,
    actor: session.actor,
    active: session.active,
    standby: session.standby,
    epoch: session.epoch,
    startedAt: iso(session.startedAt),
    endsAt: iso(session.endsAt),
    endedAt: session.endedAt === null ? null : iso(session.endedAt),
    endedBy: session.endedBy,
    sent: c.sent,
    compared: c.compared,
    agreed: c.agreed,
    dropped: c.dropped,
    errors: { ...c.errors, total: errors, otherStatus: c.otherStatus },
    unparseable: c.unparseable,
    agreement: judged.agreement,
    meanConfidenceDelta: c.confidencePairs === 0 ? null : Math.min(1, c.confidenceDeltaMicros / 1e6 / c.confidencePairs),
    latency: {
      active: { p50Ms: percentileMs(c.activeLatency, 0.5), p99Ms: percentileMs(c.activeLatency, 0.99) },
      standby: { p50Ms: percentileMs(c.standbyLatency, 0.5), p99Ms: percentileMs(c.standbyLatency, 0.99) },
    },
    verdict: judged.verdict,
    verdictReason: judged.reason,
    gate,
    series: session.series.map((p) => ({ at: iso(p.second * 1000), compared: p.compared, agreed: p.agreed })),
  };
}

/** The history row of a start (manual) or an end (manual when stopped, else the controller's), with the verdict at the end. */
export function shadowEntry(session: ShadowSession, gate: ShadowGateSettings, nowMs: number, actor: string): HistoryEntry {
  const base = { at: iso(nowMs), from: session.active, to: session.standby, epoch: session.epoch, actor };
  if (running(session)) {
    return { ...base, kind: "manual", action: "shadow_start", reason: `shadowing ${session.standby} at sample ${session.sample} until ${iso(session.endsAt)}: ${session.reason}`, metrics: null };
  }
  const view = shadowView(session, gate);
  return {
    ...base,
    kind: session.endedBy === "stopped" ? "manual" : "auto",
    action: "shadow_end",
    reason: `shadowing ${session.standby} ${session.endedBy}: ${view.verdict} — ${view.verdictReason}`,
    metrics: {
      verdict: view.verdict,
      sent: view.sent,
      compared: view.compared,
      agreed: view.agreed,
      dropped: view.dropped,
      errors: view.errors.total,
      agreementLower: view.agreement.lower,
      standbyP99Ms: view.latency.standby.p99Ms,
      activeP99Ms: view.latency.active.p99Ms,
    },
  };
}
