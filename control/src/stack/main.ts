/**
 * `npm start` (docs/architecture.md "Local stack and deployment"): blue v1 on
 * 127.0.0.1:8001, green v2 on :8002 and the router on :8787 in local workerd,
 * KV and the Durable Object kept in `.bluegreen/`; `.dev.vars` created with
 * random tokens when missing. Runs until SIGINT/SIGTERM, then stops the
 * router and the model servers (they drain) and exits 0. Exit 2: bad option,
 * bad router var (checked with the Worker's own parsers before anything
 * starts) or a port in use; exit 1: a part failed to start or died (a model
 * server, or the router's workerd). `--router-only` runs just the router in
 * front of given origins (the compose router service).
 */
import { CliError, EXIT } from "../errors.js";
import { Printer } from "../output/printer.js";
import { bannerLines } from "./banner.js";
import { parseStackOptions, usage } from "./options.js";
import { killOnExit, takeSignals } from "./signals.js";
import { PartFailed, Stack, StartAborted } from "./stack.js";

/** Two signals closer than this are one Ctrl-C delivered twice (terminal + npm relaying it). */
const DUPLICATE_SIGNAL_MS = 1_000;

function report(out: Printer, err: unknown): number {
  if (err instanceof CliError) {
    out.errorText(`${out.color("red", "error:")} ${err.message}`);
    if (err.reason) out.errorText(`  why: ${err.reason}`);
    if (err.hint) out.errorText(`  fix: ${err.hint}`);
    return err.exitCode;
  }
  if (err instanceof PartFailed) {
    out.errorText(`${out.color("red", "error:")} ${err.part} failed to start.`);
    out.errorText(`  why: ${err.message}`);
    out.errorText(`  fix: ${err.hint}`);
    return EXIT.failed;
  }
  out.errorText(`${out.color("red", "internal error:")} ${(err as Error)?.stack ?? String(err)}`);
  out.errorText("  this is a bug in the stack launcher (control/src/stack); please report it");
  return EXIT.failed;
}

/** Runs the stack until a signal or a part dies; resolves with the exit code. */
export async function main(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const out = new Printer({ json: false, stdout: process.stdout, stderr: process.stderr, secrets: [], env });
  let options;
  try {
    options = parseStackOptions(argv, env);
  } catch (err) {
    return report(out, err);
  }
  if (options.help) {
    process.stdout.write(usage() + "\n");
    return EXIT.ok;
  }

  const cwd = process.cwd();
  const stack = new Stack(options, out, cwd);
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let exitCode: number = EXIT.ok;

  // If this process ends any other way, do not leave model servers running in their own process groups.
  killOnExit(() => stack.pids());

  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (firstSignalAt !== 0) {
      if (now - firstSignalAt < DUPLICATE_SIGNAL_MS) return;
      out.errorText(`! ${signal} again: killing every part now`);
      stack.kill();
      process.exit(EXIT.failed);
    }
    firstSignalAt = now;
    out.step("info", "stop", `${signal}: stopping the router, then blue and green (they drain)`);
    void stack.stop().then(() => finish(exitCode));
  };
  takeSignals(onSignal);

  stack.onDied = (part, how) => {
    out.errorText(`${out.color("red", "error:")} the ${part} exited on its own (${how}).`);
    out.errorText(`  why: see its last log lines above`);
    out.errorText(`  fix: fix what it reports, then npm start again; stopping the other parts now`);
    exitCode = EXIT.failed;
    void stack.stop().then(() => finish(exitCode));
  };

  try {
    const up = await stack.start();
    for (const line of bannerLines({ up, devVars: options.devVars, cwd, routerOnly: options.routerOnly })) out.progress(line);
  } catch (err) {
    if (!(err instanceof StartAborted)) {
      exitCode = report(out, err);
      await stack.stop();
      return exitCode;
    }
  }
  return finished;
}

const code = await main();
// Exit explicitly: idle keep-alive sockets and timers must not hold the process open.
process.exitCode = code;
process.stdout.write("", () => process.exit(code));
