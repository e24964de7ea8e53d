/** `bluegreen history`: flips and rollbacks, newest first. */
import type { Command } from "commander";
import { z } from "zod";
import type { HistoryEntry } from "../../../contract/history.js";
import type { Context } from "../context.js";
import { intFlag, parseFlags } from "../flags.js";
import * as fmt from "../output/format.js";
import { renderTable } from "../output/table.js";
import { adminClient } from "./status.js";

const HistoryFlags = z.object({ limit: intFlag(1, 1000) });

/** The `history` action. */
export async function historyCommand(ctx: Context, cmd: Command): Promise<void> {
  const flags = parseFlags(HistoryFlags, cmd);
  const entries = await adminClient(ctx).history(flags.limit);
  ctx.printer.document(entries);
  if (entries.length === 0) {
    ctx.printer.result("no flips or rollbacks yet");
    return;
  }
  ctx.printer.result(
    renderTable<HistoryEntry>(
      [
        { header: "at", value: (e) => fmt.when(e.at) },
        { header: "action", value: (e) => e.action },
        { header: "kind", value: (e) => e.kind },
        { header: "from → to", value: (e) => `${e.from} → ${e.to}` },
        { header: "epoch", value: (e) => String(e.epoch), align: "right" },
        { header: "actor", value: (e) => e.actor },
        { header: "reason", value: (e) => e.reason },
      ],
      entries,
    ),
  );
}
