/**
 * Alerts (docs/architecture.md "Controller"): the Slack-compatible `{"text"}`
 * messages the controller sends to ALERT_WEBHOOK_URL on an automatic
 * rollback, a standby that became unhealthy and a bake that passed, and their
 * delivery. An alert is first put in the outbox (storage key `alert_outbox`)
 * together with the change it reports, then posted; one that could not be
 * delivered stays in the outbox and is retried on the next alarm, so a
 * webhook that is down never blocks (or loses) a rollback.
 *
 * Alert texts carry no secrets. The webhook URL is one (it holds the
 * webhook's token): it is never logged, and redact() keeps it out of error
 * messages.
 */
import * as z from "zod/mini";
import type { Color } from "../../../contract/colors.js";
import type { HistoryEntry } from "../../../contract/history.js";
import type { RoutingState } from "../../../contract/routing.js";
import type { WindowMetrics } from "../../../contract/status.js";
import type { ProbeResult } from "./rpc-schemas.js";

/** How long one webhook POST may take. */
export const ALERT_TIMEOUT_MS = 5_000;
/** Undelivered alerts older than this are dropped (with an error log). */
export const ALERT_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** At most this many undelivered alerts are kept; the oldest go first. */
export const MAX_OUTBOX_ALERTS = 50;

export const ALERT_KINDS = ["auto_rollback", "standby_unhealthy", "bake_passed"] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** One alert waiting in the outbox. */
export const AlertSchema = z.object({
  id: z.string(),
  kind: z.enum(ALERT_KINDS),
  text: z.string(),
  /** Unix ms the event happened. */
  createdAt: z.number(),
  attempts: z.int().check(z.minimum(0)),
  lastAttemptAt: z.optional(z.number()),
  lastError: z.optional(z.string()),
});
export type Alert = z.infer<typeof AlertSchema>;

/** A new, never tried alert. */
export function newAlert(kind: AlertKind, text: string, nowMs: number): Alert {
  return { id: crypto.randomUUID(), kind, text, createdAt: nowMs, attempts: 0 };
}

function prefix(deployment: string): string {
  return `[bluegreen ${deployment}]`;
}

function pct(rate: number | null): string {
  return rate === null ? "–" : `${(rate * 100).toFixed(1)}%`;
}

function ms(value: number | null): string {
  return value === null ? "–" : `${Math.round(value)} ms`;
}

/** "500 requests, 0.4% errors, p99 31 ms" */
export function windowSummary(w: WindowMetrics): string {
  return `${w.requests} requests, ${pct(w.errorRate)} errors, p99 ${ms(w.p99Ms)}`;
}

/** The text of an automatic rollback alert. */
export function autoRollbackText(deployment: string, entry: HistoryEntry): string {
  return `${prefix(deployment)} automatic rollback ${entry.from} → ${entry.to} (epoch ${entry.epoch}): ${entry.reason}`;
}

/** The text of a standby-unhealthy alert. */
export function standbyUnhealthyText(deployment: string, color: Color, probe: ProbeResult): string {
  return (
    `${prefix(deployment)} standby ${color} is unhealthy: ${probe.error ?? "health probe failed"}. ` +
    `Failover to ${color} is off and flips to it are refused until a probe passes.`
  );
}

/** The text of a bake-passed alert. */
export function bakePassedText(deployment: string, state: RoutingState, version: string | null, fast: WindowMetrics): string {
  const v = version === null ? "" : `, ${version}`;
  return `${prefix(deployment)} ${state.active} passed the bake and is stable (epoch ${state.epoch}${v}); fast window: ${windowSummary(fast)}.`;
}

/** The outbox without alerts that are too old or too many; `dropped` are the ones removed. */
export function pruneOutbox(outbox: readonly Alert[], nowMs: number): { kept: Alert[]; dropped: Alert[] } {
  const fresh = outbox.filter((a) => nowMs - a.createdAt <= ALERT_MAX_AGE_MS);
  const kept = fresh.slice(-MAX_OUTBOX_ALERTS);
  const keptIds = new Set(kept.map((a) => a.id));
  return { kept, dropped: outbox.filter((a) => !keptIds.has(a.id)) };
}

/** `message` with the webhook URL (and its origin) replaced, for logs and status. */
export function redact(message: string, webhookUrl: string): string {
  let out = message;
  const secrets = [webhookUrl];
  try {
    const url = new URL(webhookUrl);
    secrets.push(url.origin + url.pathname, url.pathname, url.host);
  } catch {
    // not a URL: only the literal string is replaced
  }
  for (const secret of secrets.filter((s) => s.length > 1).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join("<webhook>");
  }
  return out;
}

/** Posts one alert; never throws. The error, if any, names no part of the URL. */
export async function postAlert(webhookUrl: string, text: string, timeoutMs: number = ALERT_TIMEOUT_MS): Promise<{ ok: true } | { ok: false; error: string }> {
  // A timer of our own, cleared when done: AbortSignal.timeout would keep the object busy until it fires.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text }),
      signal: controller.signal,
    });
    await res.body?.cancel().catch(() => undefined);
    return res.ok ? { ok: true } : { ok: false, error: `HTTP ${res.status}` };
  } catch (err) {
    if (controller.signal.aborted) return { ok: false, error: `timeout after ${timeoutMs} ms` };
    return { ok: false, error: redact(`network error: ${String(err)}`, webhookUrl).slice(0, 300) };
  } finally {
    clearTimeout(timer);
  }
}
