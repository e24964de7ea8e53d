/**
 * Readers of every value the DeploymentController keeps under a key
 * (docs/storage.md "Migrations"), as pure functions. A value in the current
 * shape comes back as is; a known older shape is upgraded; anything else is
 * replaced by the key's safe default, with the problem named, so that a
 * deploy never meets data it cannot read and the controller never jams.
 * state-store.ts reads, calls these, writes back what changed, logs, and
 * records each reset as a `repair` in the history. History rows have their
 * own reader (history-rows.ts).
 */
import * as z from "zod/mini";
import { COLORS, type Color } from "../../../contract/colors.js";
import { RoutingStateSchema, type RoutingState } from "../../../contract/routing.js";
import { INITIAL_EPOCH } from "../routing-state.js";
import { AlertSchema, type Alert } from "./alerts.js";
import { BaselineSchema, type Baseline } from "./baseline.js";
import { VerdictRecordSchema, type VerdictRecord } from "./evaluation.js";
import { LabelHistoryJSONSchema, type LabelHistoryJSON } from "./label-history.js";
import { MetricWindowsJSONSchema, type MetricWindowsJSON } from "./metric-windows.js";
import { RelayRegistryJSONSchema, type RelayRegistryJSON } from "./relay-registry.js";
import { ProbeResultSchema, type ProbeResult } from "./rpc-schemas.js";
import { TimelineJSONSchema, type TimelineJSON } from "./timeline.js";
import type { Bake } from "./transitions.js";

/**
 * What reading one stored value found: the `current` shape; a known older
 * shape, `upgraded` (`from` names it); or an unreadable value, `reset` to the
 * key's safe default (`problem` says what was wrong, `fix` what was done).
 */
export type Reading<T> =
  | { outcome: "current"; value: T }
  | { outcome: "upgraded"; value: T; from: string }
  | { outcome: "reset"; value: T; problem: string; fix: string };

/** At most this many zod issues are named in a problem (the history's reason is short). */
const MAX_ISSUES_NAMED = 3;

/** A short account of why a value did not parse. */
export function problemOf(error: z.core.$ZodError): string {
  const issues = error.issues.map((i) => `${i.path.map(String).join(".") || "(value)"}: ${i.message}`);
  const more = issues.length > MAX_ISSUES_NAMED ? ` (+${issues.length - MAX_ISSUES_NAMED} more)` : "";
  return issues.slice(0, MAX_ISSUES_NAMED).join("; ") + more;
}

function current<T>(value: T): Reading<T> {
  return { outcome: "current", value };
}

function reset<T>(value: T, problem: string, fix: string): Reading<T> {
  return { outcome: "reset", value, problem, fix };
}

function record(raw: unknown): Record<string, unknown> {
  return typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
}

function wholeNumber(v: unknown): number | null {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : null;
}

// ── routing ────────────────────────────────────────────────────────────

/** The first version's routing state, before `health` was added (docs/storage.md "Migrations"). */
export const RoutingStateWithoutHealthSchema = z.omit(RoutingStateSchema, { health: true });

/** What a routing state is rebuilt from when it needs to be. */
export interface RoutingContext {
  nowMs: number;
  /** Each colour's health as its stored probe says (stored probes are the source of `health`). */
  health: RoutingState["health"];
  /** The highest epoch recorded anywhere else (history rows, kv_written): a reset state goes above it. */
  highestEpoch: number;
  /** The latest updatedAt recorded elsewhere (kv_written): a rebuilt state is newer, so isolates and KV take it. */
  latestUpdatedAt: number;
}

/**
 * The routing state. Upgrades the first version's shape without `health` (health
 * from the stored probes). An unreadable `health` alone is rebuilt the same
 * way. Anything else unreadable resets to: the stored active colour when it
 * reads as one (else blue), phase stable, an epoch above every one seen.
 * A rebuilt state's updatedAt moves forward so KV and isolates take it.
 */
export function readRouting(raw: unknown, ctx: RoutingContext): Reading<RoutingState> {
  const parsed = RoutingStateSchema.safeParse(raw);
  if (parsed.success) return current(parsed.data);
  const fields = record(raw);
  const updatedAt = (old: number) => Math.max(ctx.nowMs, old + 1, ctx.latestUpdatedAt + 1);
  const withoutHealth = RoutingStateWithoutHealthSchema.safeParse(raw);
  if (withoutHealth.success) {
    const value = { ...withoutHealth.data, health: ctx.health, updatedAt: updatedAt(withoutHealth.data.updatedAt) };
    if (fields.health === undefined) return { outcome: "upgraded", value, from: "routing state without health (first version)" };
    return reset(value, problemOf(parsed.error), "health rebuilt from the stored probes");
  }
  const active: Color = (COLORS as readonly unknown[]).includes(fields.active) ? (fields.active as Color) : "blue";
  const epoch = Math.max(wholeNumber(fields.epoch) ?? 0, ctx.highestEpoch, INITIAL_EPOCH) + 1;
  const reason = `storage repair: routing state was unreadable; reset to ${active}, phase stable`;
  const value: RoutingState = {
    active,
    epoch,
    phase: "stable",
    updatedAt: updatedAt(wholeNumber(fields.updatedAt) ?? 0),
    reason,
    health: ctx.health,
  };
  return reset(value, problemOf(parsed.error), `reset to ${active}, phase stable, epoch ${epoch}`);
}

// ── bake ───────────────────────────────────────────────────────────────

/** A stored bake: when it started and when it may end (Unix ms). */
export const BakeSchema = z
  .object({ startedAt: z.number(), endsAt: z.number() })
  .check(z.refine((b) => b.endsAt >= b.startedAt, { message: "endsAt is before startedAt" }));

/**
 * The bake in progress (shape unchanged since the first version). An
 * unreadable one restarts from now when the phase is `baking` — the colour
 * must prove itself again, still guarded — and is dropped otherwise.
 * Ending it instead would make the colour stable without a verdict.
 */
export function readBake(raw: unknown, ctx: { baking: boolean; nowMs: number; bakeMs: number }): Reading<Bake | null> {
  const parsed = BakeSchema.safeParse(raw);
  if (parsed.success) return current(parsed.data);
  if (!ctx.baking) return reset(null, problemOf(parsed.error), "dropped (not baking)");
  const bake = { startedAt: ctx.nowMs, endsAt: ctx.nowMs + ctx.bakeMs };
  return reset(bake, problemOf(parsed.error), `bake restarted, ends at ${new Date(bake.endsAt).toISOString()}`);
}

// ── the other keys ─────────────────────────────────────────────────────

/**
 * A colour's last probe. The first version's shape (`{ok, at, version?,
 * digest?, error?}`, without `latencyMs` and `origins`) is a current one:
 * both fields are optional. Unreadable: dropped — health `unknown` until
 * the next probe, as on a new deployment.
 */
export function readProbe(raw: unknown): Reading<ProbeResult | null> {
  const parsed = ProbeResultSchema.safeParse(raw);
  return parsed.success ? current(parsed.data) : reset(null, problemOf(parsed.error), "dropped until the next probe");
}

/** Which routing state KV is known to hold. */
export const KvWrittenSchema = z.object({ epoch: z.number(), updatedAt: z.number() });
/** See KvWrittenSchema. */
export type KvWritten = z.infer<typeof KvWrittenSchema>;

/** What KV is known to hold. Unreadable: dropped, so the next call writes KV again. */
export function readKvWritten(raw: unknown): Reading<KvWritten | null> {
  const parsed = KvWrittenSchema.safeParse(raw);
  return parsed.success ? current(parsed.data) : reset(null, problemOf(parsed.error), "dropped; KV is written again");
}

/** The metric windows (version 1 is the only one there has been). Unreadable: empty windows. */
export function readWindows(raw: unknown): Reading<MetricWindowsJSON | null> {
  const parsed = MetricWindowsJSONSchema.safeParse(raw);
  return parsed.success ? current(parsed.data) : reset(null, problemOf(parsed.error), "windows start empty");
}

/**
 * The relays heard and each relay instance's highest batch number (version 1
 * is the only one). Unreadable: an empty registry — relays are learnt again
 * from their next forwards (and pushed to after it).
 */
export function readRelays(raw: unknown): Reading<RelayRegistryJSON | null> {
  const parsed = RelayRegistryJSONSchema.safeParse(raw);
  return parsed.success ? current(parsed.data) : reset(null, problemOf(parsed.error), "relays learnt again from their next forwards");
}

/** The dashboard's timeline (version 1 is the only one). Unreadable: an empty timeline. */
export function readTimeline(raw: unknown): Reading<TimelineJSON | null> {
  const parsed = TimelineJSONSchema.safeParse(raw);
  return parsed.success ? current(parsed.data) : reset(null, problemOf(parsed.error), "timeline starts empty");
}

/** The per-minute label history (version 1 is the only one). Unreadable: an empty history (the next flip's baseline holds only what follows). */
export function readLabelHistory(raw: unknown): Reading<LabelHistoryJSON | null> {
  const parsed = LabelHistoryJSONSchema.safeParse(raw);
  return parsed.success ? current(parsed.data) : reset(null, problemOf(parsed.error), "label history starts empty");
}

/**
 * The bake's baseline (version 1 is the only one; absent before the first
 * flip of a controller that has it). Unreadable: dropped — drift is "could
 * not measure" until the next flip freezes a new one, never failed.
 */
export function readBaseline(raw: unknown): Reading<Baseline | null> {
  const parsed = BaselineSchema.safeParse(raw);
  return parsed.success ? current(parsed.data) : reset(null, problemOf(parsed.error), "dropped: drift is not measured until the next flip");
}

/** Whether automatic rollback is armed (stored only as `false`; absent = armed). Unreadable: armed, a new deployment's default. */
export function readArmed(raw: unknown): Reading<boolean> {
  if (raw === undefined) return current(true);
  if (typeof raw === "boolean") return current(raw);
  return reset(true, `expected true or false, got ${JSON.stringify(raw)?.slice(0, 40) ?? typeof raw}`, "armed again (the default)");
}

/** The last verdict. Unreadable: none until the next evaluation (every report and alarm). */
export function readVerdict(raw: unknown): Reading<VerdictRecord | null> {
  const parsed = VerdictRecordSchema.safeParse(raw);
  return parsed.success ? current(parsed.data) : reset(null, problemOf(parsed.error), "dropped until the next evaluation");
}

/** The alert outbox. Unreadable alerts are dropped and the readable ones kept; a value that is no list at all empties it. */
export function readOutbox(raw: unknown): Reading<Alert[]> {
  if (!Array.isArray(raw)) return reset([], `expected a list of alerts, got ${typeof raw}`, "outbox emptied");
  const alerts = raw.map((a) => AlertSchema.safeParse(a));
  const kept = alerts.flatMap((a) => (a.success ? [a.data] : []));
  const bad = alerts.flatMap((a, i) => (a.success ? [] : [`#${i}: ${problemOf(a.error)}`]));
  if (bad.length === 0) return current(kept);
  return reset(kept, bad.slice(0, MAX_ISSUES_NAMED).join("; "), `${bad.length} unreadable alert(s) dropped, ${kept.length} kept`);
}
