/**
 * `bluegreen rollout <colour>` — the seed's deploy.py flow: validate the
 * colour, flip to it with the epoch read before validating (so a concurrent
 * change is refused), then watch the bake live until the controller passes it
 * (exit 0) or rolls it back (exit 1). Ctrl-C while watching changes nothing.
 */
import type { Command } from "commander";
import { z } from "zod";
import { type Color, otherColor } from "../../../contract/colors.js";
import type { HistoryEntry } from "../../../contract/history.js";
import type { AdminStatus } from "../../../contract/status.js";
import { type AdminClient, bakeSecondsLeft, colorView } from "../admin-client.js";
import { assessBake, type BakeState } from "../bake.js";
import type { Context } from "../context.js";
import { GateFailed, Interrupted, Unreachable, UsageError } from "../errors.js";
import { parseFlags, ratioFlag } from "../flags.js";
import { pause, trapInterrupt } from "../interrupt.js";
import * as fmt from "../output/format.js";
import { LiveView } from "../output/live.js";
import { colorSummary, colorTable, liveBlock } from "../output/status-view.js";
import { renderTable } from "../output/table.js";
import { runValidation, type ValidationReport } from "../validate/run.js";
import { parseColor } from "./flip.js";
import { DurationFlag, shadowGate } from "./shadow.js";
import { adminClient } from "./status.js";
import { buildPlan, finishValidation, ValidateFlags } from "./validate.js";

const RolloutFlags = ValidateFlags.and(
  z.object({
    reason: z.string().min(1).max(500).optional(),
    interval: z.coerce.number({ error: "must be a number of seconds" }).min(0.2, { error: "must be at least 0.2 seconds" }).max(60),
    bakeTimeout: z.coerce.number({ error: "must be a number of seconds" }).positive().optional(),
    shadow: DurationFlag.optional(),
    shadowSample: ratioFlag(),
  }),
);

/** How long the router may be unreachable during the bake before the CLI gives up watching. */
const LOST_ROUTER_MS = 30_000;

interface BakeResult {
  state: BakeState | "timeout" | "interrupted";
  last: AdminStatus;
  seconds: number;
  /** The rollback (or other flip) that ended the bake, from the history. */
  entry?: HistoryEntry | undefined;
}

/** The `rollout` action. */
export async function rolloutCommand(ctx: Context, colour: string, cmd: Command): Promise<void> {
  const target = parseColor(colour);
  const flags = parseFlags(RolloutFlags, cmd);
  const { printer } = ctx;
  const client = adminClient(ctx, "rollout (to flip and to watch the bake)");
  const before = await client.status();
  if (before.active === target && before.phase !== "rolled_back") {
    throw new UsageError(`${target} is already active (phase ${before.phase}, epoch ${before.epoch}).`, {
      reason: "a rollout flips traffic to a colour that is not serving",
      hint: `deploy the new model to ${otherColor(target)} and run \`bluegreen rollout ${otherColor(target)}\`; \`bluegreen status\` shows the deployment`,
    });
  }
  const from = before.active;
  printer.step("info", "rollout", `${from} → ${target}: validate, flip at epoch ${before.epoch}, bake`);

  // Ctrl-C before the flip: nothing changed yet, so the rollout ends there, with exit 130 from
  // cli.ts like every other outcome (the validation's requests stop when the process exits).
  // Ctrl-C after it only stops the watching (`stop`).
  const stop = new AbortController();
  let phase: "validate" | "shadow" | "flip" | "bake" = "validate";
  let interruptValidation: (err: Interrupted) => void = () => {};
  const interrupted = new Promise<never>((_, reject) => (interruptValidation = reject));
  const untrap = trapInterrupt(() => {
    if (phase !== "validate") return stop.abort();
    interruptValidation(
      new Interrupted("Interrupted before the flip: nothing was changed.", {
        reason: `Ctrl-C while validating ${target}; no flip was sent, ${from} stays active`,
        hint: `run \`bluegreen rollout ${target}\` again when ready`,
      }),
    );
  });
  try {
    const validate = async () => runValidation(await buildPlan(ctx, { ...flags, color: target, url: undefined }, before), printer);
    const validation = await Promise.race([validate(), interrupted]);
    if (!validation.passed) {
      printer.document({ outcome: "validation-failed", target, from, validation, flip: null, bake: null });
      finishValidation(printer, validation, { document: false });
    }

    if (flags.shadow !== undefined) {
      // Shadow the target (the standby) on live traffic; flip only when the shadow gate passes.
      phase = "shadow";
      try {
        const shadow = await shadowGate(ctx, client, { seconds: flags.shadow, sample: flags.shadowSample, target, signal: stop.signal });
        if (stop.signal.aborted) {
          throw new Interrupted("Interrupted while shadowing: nothing was flipped.", {
            reason: `Ctrl-C while ${target} was shadowed; the shadowing was stopped and ${from} stays active`,
            hint: `run \`bluegreen rollout ${target} --shadow …\` again when ready`,
          });
        }
        printer.step("ok", "shadow", `${shadow.compared} comparisons, agreement ${fmt.pct(shadow.agreement.rate, 1)}`);
      } catch (err) {
        if (err instanceof GateFailed) printer.document({ outcome: "shadow-failed", target, from, validation, shadow: await client.shadow().catch(() => null), flip: null, bake: null });
        throw err;
      }
    }

    phase = "flip";
    await client.flip({ to: target, expectedEpoch: before.epoch, reason: flags.reason ?? `rollout of ${target} with the bluegreen CLI (validated)` });
    const flipped = await client.status();
    const flipEpoch = flipped.epoch;
    const left = bakeSecondsLeft(flipped, Date.now());
    printer.step("ok", "flip", `${from} → ${target} at epoch ${flipEpoch}; baking${left === null ? "" : ` for ${fmt.duration(left)}`}`);

    phase = "bake";
    const bakeTimeoutS = flags.bakeTimeout ?? (flipped.policy?.bakeSeconds ?? 120) + 60;
    const bake = await watchBake(ctx, client, { target, flipEpoch, intervalMs: flags.interval * 1000, timeoutMs: bakeTimeoutS * 1000, signal: stop.signal }, flipped);
    report(ctx, { target, from, validation, flipEpoch, bake });
  } finally {
    untrap();
  }
}

async function watchBake(
  ctx: Context,
  client: AdminClient,
  o: { target: Color; flipEpoch: number; intervalMs: number; timeoutMs: number; signal: AbortSignal },
  first: AdminStatus,
): Promise<BakeResult> {
  const view = new LiveView(ctx.printer);
  const started = Date.now();
  let last = first;
  let lastOk = Date.now();
  for (;;) {
    const now = Date.now();
    const state = assessBake(last, o);
    const seconds = (now - started) / 1000;
    if (state !== "baking") {
      view.done();
      const entry = state === "passed" ? undefined : await latestChange(client);
      return { state, last, seconds, entry };
    }
    const left = bakeSecondsLeft(last, now);
    const t = colorView(last, o.target);
    const line = `${ctx.printer.mark("info")} ${"bake".padEnd(8)} ${colorSummary(t)}  |  ${colorSummary(colorView(last, otherColor(o.target)))}  |  ${left === null ? `${fmt.duration(seconds)} so far` : `${fmt.duration(left)} left`}`;
    view.update(liveBlock(ctx.printer, last, now, `rollout ${o.target} · baking · Ctrl-C stops watching (changes nothing)`), line);
    if (now - started > o.timeoutMs) return { state: "timeout", last, seconds };
    await pause(o.intervalMs, o.signal);
    if (o.signal.aborted) {
      view.done();
      return { state: "interrupted", last, seconds: (Date.now() - started) / 1000 };
    }
    try {
      last = await client.status();
      lastOk = Date.now();
    } catch (err) {
      if (!(err instanceof Unreachable) || Date.now() - lastOk > LOST_ROUTER_MS) throw err;
      ctx.printer.step("warn", "bake", `status failed, retrying: ${err.message}`);
      view.done();
    }
  }
}

/** The newest history entry (the rollback or flip that ended the bake), if the router answers. */
async function latestChange(client: AdminClient): Promise<HistoryEntry | undefined> {
  try {
    return (await client.history(1))[0];
  } catch {
    return undefined;
  }
}

function report(
  ctx: Context,
  r: { target: Color; from: Color; validation: ValidationReport; flipEpoch: number; bake: BakeResult },
): void {
  const { printer } = ctx;
  const { bake, target, from } = r;
  const t = colorView(bake.last, target);
  const reason = bake.entry?.reason ?? bake.last.reason ?? "no reason given";
  const outcome = bake.state === "passed" ? "passed" : bake.state;
  const lines: Record<string, string> = {
    passed: `${target} passed the bake and is stable (epoch ${bake.last.epoch})`,
    "rolled-back": `${bake.entry?.kind === "manual" ? "rolled back by an operator" : "the controller rolled back"} to ${bake.last.active}: ${reason}`,
    superseded: `another flip took over (epoch ${bake.last.epoch}, ${bake.last.active} active, phase ${bake.last.phase})`,
    timeout: `the bake did not end within ${fmt.duration(bake.seconds)}; ${target} is left active, phase ${bake.last.phase}`,
    interrupted: `stopped watching after ${fmt.duration(bake.seconds)}; nothing was changed: ${bake.last.active} stays active, phase ${bake.last.phase}`,
  };
  printer.step(outcome === "passed" ? "ok" : outcome === "interrupted" ? "warn" : "fail", "bake", lines[outcome]!);
  printer.document({ outcome, target, from, validation: r.validation, flip: { epoch: r.flipEpoch }, bake: { state: bake.state, seconds: bake.seconds, entry: bake.entry ?? null, status: bake.last } });
  printer.result("");
  printer.result(
    renderTable<[string, string, string]>(
      [
        { header: "step", value: (x) => x[0] },
        { header: "result", value: (x) => x[1] },
        { header: "detail", value: (x) => x[2] },
      ],
      [
        ["validate", printer.color("green", "pass"), `${r.validation.gates.filter((g) => g.status === "passed").length} gates passed in ${(r.validation.durationMs / 1000).toFixed(1)} s`],
        ["flip", printer.color("green", "done"), `${from} → ${target}, epoch ${r.flipEpoch}`],
        ["bake", bake.state === "passed" ? printer.color("green", "pass") : printer.color(bake.state === "interrupted" ? "yellow" : "red", bake.state), `${fmt.duration(bake.seconds)} watched; ${target}: ${fmt.count(t.requests)} req, ${fmt.pct(t.errorRate)} errors, p99 ${fmt.ms(t.p99Ms)}`],
      ],
    ),
  );
  printer.result("");
  printer.result(colorTable(printer, bake.last));
  switch (bake.state) {
    case "passed":
      printer.result(`\n${printer.mark("ok")} rollout passed: ${target} serves all traffic`);
      return;
    case "rolled-back":
      throw new GateFailed("rolled-back", `rollout failed: ${target} was rolled back to ${bake.last.active}.`, {
        reason,
        hint: `\`bluegreen history\` shows the rollback and its metrics; fix ${target} (its log, its model), then run \`bluegreen rollout ${target}\` again`,
      });
    case "superseded":
      throw new GateFailed("superseded", `rollout stopped: the deployment changed under it (epoch ${bake.last.epoch}).`, {
        reason: bake.entry?.reason ?? "another flip or rollback happened during the bake",
        hint: "see `bluegreen history` for who changed it",
      });
    case "timeout":
      throw new GateFailed("bake-timeout", `rollout undecided: the bake did not end in time.`, {
        reason: `${target} is still baking (phase ${bake.last.phase}) after ${fmt.duration(bake.seconds)}`,
        hint: "the controller keeps baking; follow it with `bluegreen watch`, or raise --bake-timeout",
      });
    case "interrupted":
      throw new Interrupted("Stopped watching the bake (Ctrl-C); the rollout itself goes on.", {
        reason: `${bake.last.active} stays active in phase ${bake.last.phase}; the controller still rolls back by itself if it fails`,
        hint: "follow it with `bluegreen watch`; undo it with `bluegreen rollback`",
      });
  }
}
