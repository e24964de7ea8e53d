/**
 * `bluegreen shadow start|stop|status` (docs/cli.md): mirror a sample of the
 * live predictions to the standby and compare its answers with the active
 * colour's; and the shadow step of `bluegreen rollout --shadow <duration>`,
 * which waits out the shadowing and answers the shadow gate's verdict.
 */
import type { Command } from "commander";
import { z } from "zod";
import { MAX_SHADOW_SECONDS, type ShadowView } from "../../../contract/shadow.js";
import type { AdminClient } from "../admin-client.js";
import type { Context } from "../context.js";
import { GateFailed } from "../errors.js";
import { parseFlags, ratioFlag } from "../flags.js";
import { pause } from "../interrupt.js";
import * as fmt from "../output/format.js";
import { renderPairs } from "../output/table.js";
import { adminClient } from "./status.js";

/** A duration such as `30s`, `10m`, `2h` or plain seconds, as whole seconds (1 s … 24 h). */
export const DurationFlag = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(s|m|h)?$/, { error: "must be a duration such as 30s, 10m or 1h" })
  .transform((s) => {
    const n = Number.parseFloat(s);
    const unit = s.trim().slice(-1);
    return Math.round(n * (unit === "h" ? 3600 : unit === "m" ? 60 : 1));
  })
  .pipe(z.number().int().min(1, { error: "must be at least 1 s" }).max(MAX_SHADOW_SECONDS, { error: "must be at most 24h" }));

const StartFlags = z.object({
  sample: ratioFlag(),
  for: DurationFlag,
  reason: z.string().min(1).max(500).optional(),
});

/** After a shadowing's end, how long mirrors still in flight get to be reported before the verdict is read. */
export const SHADOW_SETTLE_MS = 3_000;

/** A shadowing as label/value pairs. */
export function shadowPairs(s: ShadowView): Array<[string, string]> {
  const a = s.agreement;
  return [
    ["shadowing", `${s.standby} behind ${s.active} at sample ${s.sample}, ${s.running ? `until ${fmt.when(s.endsAt)}` : `${s.endedBy} ${fmt.when(s.endedAt)}`}`],
    ["mirrored", `${fmt.count(s.sent)} sent, ${fmt.count(s.dropped)} dropped, ${fmt.count(s.errors.total)} standby errors (${s.errors.http5xx} 5xx, ${s.errors.timeout} timeouts, ${s.errors.connect} connect), ${s.errors.otherStatus} other non-2xx`],
    ["agreement", a.rate === null ? "nothing compared yet" : `${fmt.pct(a.rate, 1)} of ${fmt.count(s.compared)} predictions (95% ${fmt.pct(a.lower, 1)}–${fmt.pct(a.upper, 1)})`],
    ["confidence", s.meanConfidenceDelta === null ? "—" : `mean |Δ| ${s.meanConfidenceDelta.toFixed(3)}`],
    ["latency", `${s.standby} p50 ${fmt.ms(s.latency.standby.p50Ms)} p99 ${fmt.ms(s.latency.standby.p99Ms)} · ${s.active} p50 ${fmt.ms(s.latency.active.p50Ms)} p99 ${fmt.ms(s.latency.active.p99Ms)} (same requests)`],
    ["verdict", `${s.verdict.replaceAll("_", " ")}: ${s.verdictReason}`],
  ];
}

function print(ctx: Context, shadow: ShadowView | null): void {
  ctx.printer.document({ shadow });
  ctx.printer.result(shadow === null ? "no shadowing yet (start one with `bluegreen shadow start`)" : renderPairs(shadowPairs(shadow)));
}

/** `shadow start [--sample 0.1] [--for 10m] [--reason]`. */
export async function shadowStartCommand(ctx: Context, cmd: Command): Promise<void> {
  const f = parseFlags(StartFlags, cmd);
  const shadow = await adminClient(ctx, "shadow start").shadowStart({ sample: f.sample, seconds: f.for, ...(f.reason ? { reason: f.reason } : {}) });
  ctx.printer.step("ok", "shadow", `mirroring ${f.sample * 100}% of the predictions to ${shadow.standby} for ${fmt.duration(f.for)}`);
  print(ctx, shadow);
}

/** `shadow stop`. */
export async function shadowStopCommand(ctx: Context): Promise<void> {
  print(ctx, await adminClient(ctx, "shadow stop").shadowStop());
}

/** `shadow status`. */
export async function shadowStatusCommand(ctx: Context): Promise<void> {
  print(ctx, await adminClient(ctx, "shadow status").shadow());
}

/**
 * rollout's shadow step: shadows the standby for `seconds` at `sample`,
 * waits for its end (and SHADOW_SETTLE_MS more for the last mirrors), stops
 * it and answers the verdict; throws GateFailed (exit 1) unless the gate
 * passed, leaving routing unchanged.
 */
export async function shadowGate(ctx: Context, client: AdminClient, o: { seconds: number; sample: number; target: string; signal: AbortSignal }): Promise<ShadowView> {
  const started = await client.shadowStart({ sample: o.sample, seconds: o.seconds, reason: `rollout of ${o.target}: shadow gate` });
  ctx.printer.step("info", "shadow", `mirroring ${o.sample * 100}% of the predictions to ${started.standby} for ${fmt.duration(o.seconds)}`);
  const endsAt = Date.parse(started.endsAt);
  while (Date.now() < endsAt + SHADOW_SETTLE_MS && !o.signal.aborted) {
    await pause(Math.min(5_000, Math.max(0, endsAt + SHADOW_SETTLE_MS - Date.now())), o.signal);
    const now = await client.shadow();
    if (now !== null && Date.now() < endsAt) {
      ctx.printer.step("info", "shadow", `${fmt.count(now.compared)} compared, agreement ${now.agreement.rate === null ? "—" : fmt.pct(now.agreement.rate, 1)}, ${fmt.count(now.errors.total)} errors, ${fmt.count(now.dropped)} dropped`);
    }
  }
  const ended = (await client.shadowStop()) ?? started;
  ctx.printer.result(renderPairs(shadowPairs(ended)));
  if (o.signal.aborted) return ended;
  if (ended.verdict !== "passed") {
    throw new GateFailed(`shadow-${ended.verdict.replaceAll("_", "-")}`, `rollout stopped: the shadow gate ${ended.verdict === "failed" ? "failed" : "could not measure"} ${ended.standby}; nothing was flipped.`, {
      reason: ended.verdictReason,
      hint: ended.verdict === "failed" ? `fix ${ended.standby} and run the rollout again` : "shadow for longer (or at a higher sample) so the gate has enough comparisons",
    });
  }
  ctx.printer.step("ok", "shadow", `gate passed: ${ended.verdictReason}`);
  return ended;
}
