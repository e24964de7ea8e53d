/**
 * `npm run sim:scale`: the scale simulation of the routing protocol
 * (docs/scale.md). For each N it runs today's protocol (every isolate
 * calls the controller) and the relayed one (isolates → relay per location
 * → controller, pushes back) through the same seeded timeline, and prints
 * both tables, the bounds at 10,000 isolates and the wall time.
 *
 *   npm run sim:scale -- [--seed 20261130] [--n 10,100,1000,10000,50000]
 *     [--colos 250] [--zipf 1] [--rate-per-isolate 100] [--max-rate 1000000]
 *     [--tick-ms 100] [--service-ms 0.84] [--relay-service-ms 0.09]
 *     [--queue-limit 1000] [--wait-limit-ms 1000] [--loss 0.001]
 *     [--base-error-rate 0.001] [--fault-rate 0.3] [--protocols both|today|relayed] [--no-push]
 *     [--jobs 2] [--json]
 */
import { parseArgs } from "node:util";
import { isMainThread } from "node:worker_threads";
import { z } from "zod";
import { paramsFor, FlagsSchema, TIMELINE } from "./params.js";
import { BOUND_AT, boundsCheck, table } from "./report.js";
import { runAll, runInWorker } from "./runner.js";
import type { ProtocolName, RunResult } from "./scenario.js";
import { loadServiceTimes } from "./service-times.js";
import { DELAYS } from "./engine/network.js";

const USAGE = `Usage: npm run sim:scale -- [--seed N] [--n 10,100,1000,10000,50000] [--colos 250] [--zipf 1]
  [--rate-per-isolate 100] [--max-rate 1000000] [--tick-ms 100] [--service-ms MS] [--relay-service-ms MS]
  [--queue-limit 1000] [--wait-limit-ms 1000] [--loss 0.001] [--base-error-rate 0.001] [--fault-rate 0.3]
  [--protocols both|today|relayed] [--no-push] [--jobs 2] [--json]   (docs/scale.md)
`;

const ms = (x: number) => `${x < 1 ? x.toFixed(3) : x.toFixed(2)} ms`;

async function main(): Promise<number> {
  const started = performance.now();
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      options: {
        ...Object.fromEntries(
          Object.keys(FlagsSchema.shape).map((k) => [k, { type: k === "json" || k === "no-push" ? ("boolean" as const) : ("string" as const) }]),
        ),
        help: { type: "boolean" as const },
      },
    }));
  } catch (err) {
    process.stderr.write(`sim:scale: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  delete values.help;
  const parsed = FlagsSchema.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(`sim:scale: ${z.prettifyError(parsed.error)}\n${USAGE}`);
    return 2;
  }
  const flags = parsed.data;
  const measured = loadServiceTimes();
  const out = (line: string) => flags.json || process.stdout.write(`${line}\n`);
  const first = paramsFor(flags, flags.n[0]!, measured);
  out(`sim:scale — seed ${flags.seed} · ${flags.colos} locations, traffic Zipf s=${flags.zipf} · ${flags["rate-per-isolate"]} predictions/s per isolate, at most ${flags["max-rate"].toLocaleString("en-US")}/s in all`);
  out(
    `service times (measured ${measured.measuredAt.slice(0, 10)}, ${measured.machine.cpu} ×${measured.machine.nproc}, local workerd): controller report ${ms(first.service.report)}, forward ${ms(first.service.forward)}, refresh ${ms(first.service.state)}, windows write ${ms(first.service.save)} once a second; relay sync ${ms(first.service.relay)}; push ${ms(first.service.pushPerTarget)} per relay${flags["service-ms"] !== undefined ? " (controller's scaled by --service-ms)" : ""}`,
  );
  out(`overload: FIFO per object, refused when ${first.limits.queueLimit} calls wait or a call would wait > ${first.limits.waitLimitMs} ms · answers lost: ${flags.loss} · delays (one way, lognormal): ${Object.entries(DELAYS).map(([k, d]) => `${k} ${d.medianMs} ms σ${d.sigma}`).join(", ")}`);
  out(`timeline: cold starts 0–${TIMELINE.startSpreadMs / 1000} s · flip blue → green at ${TIMELINE.flipAtMs / 1000} s · green fails ${flags["fault-rate"] * 100}% from ${TIMELINE.faultAtMs / 1000} s · traffic ends ${TIMELINE.trafficEndMs / 1000} s · drain to ${TIMELINE.endMs / 1000} s · means over ${TIMELINE.steadyFromMs / 1000}–${TIMELINE.faultAtMs / 1000} s`);
  const protocols: ProtocolName[] = flags.protocols === "both" ? ["today", "relayed"] : [flags.protocols];
  const jobs = flags.n.flatMap((n) => protocols.map((protocol) => ({ protocol, params: paramsFor(flags, n, measured) })));
  const all = await runAll(jobs, flags.jobs, (job, result) =>
    out(`· ${job.protocol.padEnd(7)} N=${String(job.params.isolates).padEnd(6)} tick ${job.params.tickMs} ms · ${(result.wallMs / 1000).toFixed(1)} s, ${result.events.toLocaleString("en-US")} events`),
  );
  const results: Record<ProtocolName, RunResult[]> = { today: [], relayed: [] };
  all.forEach((result) => results[result.protocol].push(result));
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ seed: flags.seed, flags, measured, results }, null, 2)}\n`);
    return 0;
  }
  if (results.today.length > 0) out(`\n## Before: today's protocol — every isolate syncs with the controller\n\n${table(results.today)}`);
  if (results.relayed.length > 0) {
    const how = flags["no-push"] ? "WITHOUT the controller's push" : "push on change";
    out(`\n## After: relays per location (sharded), controller-set forward interval, ${how}\n\n${table(results.relayed)}`);
  }
  const at = results.relayed.find((r) => r.isolates === BOUND_AT);
  let ok = true;
  if (at !== undefined) {
    const check = boundsCheck(at);
    ok = check.ok;
    out(`\nBounds at N = ${BOUND_AT.toLocaleString("en-US")} (relayed):\n${check.lines.join("\n")}`);
  }
  out(`\nwall time ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return ok ? 0 : 1;
}

if (isMainThread) process.exitCode = await main();
else runInWorker();
