/** `bluegreen flip <colour>` and `bluegreen rollback`: the admin API's two actions. */
import type { Command } from "commander";
import { z } from "zod";
import { Color } from "../../../contract/colors.js";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { intFlag, parseFlags } from "../flags.js";
import { colorTable } from "../output/status-view.js";
import { renderPairs } from "../output/table.js";
import { adminClient, statusPairs } from "./status.js";

/** Rollback's flags; a flip's are the same. */
const RollbackFlags = z.object({
  reason: z.string().min(1).max(500).optional(),
  expectedEpoch: intFlag(0, Number.MAX_SAFE_INTEGER).optional(),
  force: z.boolean().default(false),
});

const FlipFlags = RollbackFlags;

/** Parses a colour argument. */
export function parseColor(value: string): Color {
  const parsed = Color.safeParse(value);
  if (!parsed.success) throw new UsageError(`Unknown colour "${value}".`, { hint: "the colours are blue and green" });
  return parsed.data;
}

/** The `flip` action. */
export async function flipCommand(ctx: Context, colour: string, cmd: Command): Promise<void> {
  const to = parseColor(colour);
  const flags = parseFlags(FlipFlags, cmd);
  const client = adminClient(ctx);
  const answer = await client.flip({ to, reason: flags.reason ?? `flip to ${to} with the bluegreen CLI`, expectedEpoch: flags.expectedEpoch, force: flags.force || undefined });
  const status = await client.status();
  ctx.printer.document({ flip: answer, status });
  ctx.printer.result(`${ctx.printer.mark("ok")} flipped to ${to}: epoch ${status.epoch}, phase ${status.phase}`);
  ctx.printer.result("");
  ctx.printer.result(renderPairs(statusPairs(status, Date.now())));
  ctx.printer.result("");
  ctx.printer.result(colorTable(ctx.printer, status));
}

/** The `rollback` action. */
export async function rollbackCommand(ctx: Context, cmd: Command): Promise<void> {
  const flags = parseFlags(RollbackFlags, cmd);
  const client = adminClient(ctx);
  const answer = await client.rollback({
    reason: flags.reason ?? "rollback with the bluegreen CLI",
    expectedEpoch: flags.expectedEpoch,
    force: flags.force || undefined,
  });
  const status = await client.status();
  ctx.printer.document({ rollback: answer, status });
  ctx.printer.result(`${ctx.printer.mark("ok")} rolled back to ${status.active}: epoch ${status.epoch}, phase ${status.phase}`);
  ctx.printer.result("");
  ctx.printer.result(renderPairs(statusPairs(status, Date.now())));
  ctx.printer.result("");
  ctx.printer.result(colorTable(ctx.printer, status));
}
