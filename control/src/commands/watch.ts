/**
 * `bluegreen watch`: live per-colour traffic, errors and latency from the
 * router's status. Redraws in place on a terminal, prints one line per
 * interval otherwise, one JSON object per line with --json. Ctrl-C ends it.
 */
import type { Command } from "commander";
import { z } from "zod";
import type { AdminStatus } from "../../../contract/status.js";
import type { Context } from "../context.js";
import { parseFlags, intFlag } from "../flags.js";
import { pause, trapInterrupt } from "../interrupt.js";
import { LiveView } from "../output/live.js";
import { liveBlock, statusLine } from "../output/status-view.js";
import { adminClient } from "./status.js";

const WatchFlags = z.object({
  interval: z.coerce.number({ error: "must be a number of seconds" }).min(0.2, { error: "must be at least 0.2 seconds" }).max(3600),
  count: intFlag(1, 1_000_000).optional(),
});

/** The `watch` action. */
export async function watchCommand(ctx: Context, cmd: Command): Promise<void> {
  const flags = parseFlags(WatchFlags, cmd);
  const client = adminClient(ctx);
  const stop = new AbortController();
  const untrap = trapInterrupt(() => stop.abort());
  const view = new LiveView(ctx.printer);
  const title = `bluegreen watch · ${ctx.config.routerUrl} · every ${flags.interval} s · Ctrl-C to stop`;
  try {
    for (let n = 1; !stop.signal.aborted; n++) {
      let status: AdminStatus;
      try {
        status = await client.status();
      } catch (err) {
        if (n === 1) throw err;
        ctx.printer.step("warn", "watch", `status failed: ${(err as Error).message} — retrying`);
        view.done();
        await pause(flags.interval * 1000, stop.signal);
        continue;
      }
      const now = Date.now();
      if (ctx.printer.json) ctx.printer.jsonLine({ at: new Date(now).toISOString(), ...status });
      else view.update(liveBlock(ctx.printer, status, now, title), statusLine(status, now));
      if (flags.count !== undefined && n >= flags.count) break;
      await pause(flags.interval * 1000, stop.signal);
    }
  } finally {
    untrap();
  }
}
