/**
 * The `bluegreen` program (docs/cli.md): commander wiring, the global
 * config flags, and the one place that turns errors into a message (what
 * happened, why, how to fix it) and an exit code.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command, CommanderError, Option } from "commander";
import { addCheckConfigFlags, checkConfigCommand } from "./commands/check-config.js";
import { historyCommand } from "./commands/history.js";
import { flipCommand, rollbackCommand } from "./commands/flip.js";
import { rolloutCommand } from "./commands/rollout.js";
import { shadowStartCommand, shadowStatusCommand, shadowStopCommand } from "./commands/shadow.js";
import { statusCommand } from "./commands/status.js";
import { addValidateFlags, validateCommand } from "./commands/validate.js";
import { watchCommand } from "./commands/watch.js";
import { loadConfig, secretsOf, SETTINGS, type SettingKey } from "./config.js";
import type { Context } from "./context.js";
import { CliError, EXIT } from "./errors.js";
import { Printer } from "./output/printer.js";

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

interface GlobalFlags {
  json?: boolean;
  routerUrl?: string;
  adminToken?: string;
  blueUrl?: string;
  greenUrl?: string;
  originToken?: string;
}

const EXIT_HELP = `
Exit codes: 0 ok · 1 gate failed or rolled back · 2 usage or config error · 3 target unreachable · 130 interrupted
Config: flags, then the environment (${Object.values(SETTINGS).map((s) => s.env).join(", ")}), then .dev.vars in the working directory.`;

/** Builds the program; `run` wraps each action with config, printer and error handling. */
function buildProgram(io: Io, state: { exitCode: number }): Command {
  const program = new Command("bluegreen")
    .description("Blue-green deployment of ML model servers: validate, flip, roll out, watch.")
    .version("0.1.0")
    .option("--json", "machine-readable output on stdout (progress goes to stderr)")
    .showHelpAfterError("(add --help for usage)")
    .addHelpText("after", EXIT_HELP)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  for (const [key, s] of Object.entries(SETTINGS)) {
    const words = key === "adminToken" ? "admin API token" : key === "originToken" ? "model-server origin token" : `${key.replace("Url", "")} URL`;
    program.addOption(new Option(`${s.flag} <${s.secret ? "token" : "url"}>`, `${words} (env ${s.env}${s.default ? `, default ${s.default}` : ""})`));
  }

  const run =
    <A extends unknown[]>(action: (ctx: Context, ...args: A) => Promise<void>) =>
    async (...args: A) => {
      const cmd = args[args.length - 1] as Command;
      const g = cmd.optsWithGlobals<GlobalFlags>();
      const flagSecrets = [g.adminToken, g.originToken, io.env.ADMIN_TOKEN, io.env.ORIGIN_TOKEN].filter((s): s is string => !!s);
      const printer = new Printer({ json: !!g.json, stdout: io.stdout, stderr: io.stderr, secrets: flagSecrets, env: io.env });
      try {
        const flags: Partial<Record<SettingKey, string | undefined>> = {
          routerUrl: g.routerUrl,
          adminToken: g.adminToken,
          blueUrl: g.blueUrl,
          greenUrl: g.greenUrl,
          originToken: g.originToken,
        };
        const config = loadConfig({ flags, env: io.env, cwd: io.cwd });
        printer.addSecrets(secretsOf(config));
        await action({ config, printer }, ...args);
        state.exitCode = EXIT.ok;
      } catch (err) {
        state.exitCode = reportError(printer, err, io.env);
      }
    };

  /** Like `run`, for commands that do not talk to the router or model servers: no settings to load. */
  const runOffline =
    <A extends unknown[]>(action: (printer: Printer, ...args: A) => Promise<void>) =>
    async (...args: A) => {
      const cmd = args[args.length - 1] as Command;
      const printer = new Printer({ json: !!cmd.optsWithGlobals<GlobalFlags>().json, stdout: io.stdout, stderr: io.stderr, secrets: [], env: io.env });
      try {
        await action(printer, ...args);
        state.exitCode = EXIT.ok;
      } catch (err) {
        state.exitCode = reportError(printer, err, io.env);
      }
    };

  const validate = program
    .command("validate")
    .description("check a colour before it takes traffic: health, smoke, load, quality; a table at the end");
  addValidateFlags(validate, { target: true }).action(run((ctx, _opts, cmd: Command) => validateCommand(ctx, cmd)));

  program
    .command("status")
    .description("the router's admin status: active colour, phase, epoch, per-colour health and traffic")
    .action(run((ctx) => statusCommand(ctx)));

  program
    .command("flip")
    .description("send all traffic to <colour> and start baking")
    .argument("<colour>", "blue or green")
    .option("--reason <text>", "why (kept in the history)")
    .option("--expected-epoch <n>", "refuse (409) unless the deployment is at this epoch")
    .option("--force", "flip even if the target's last health probe failed", false)
    .action(run((ctx, colour: string, _opts, cmd: Command) => flipCommand(ctx, colour, cmd)));

  program
    .command("rollback")
    .description("flip back to the previous colour now")
    .option("--reason <text>", "why (kept in the history)")
    .option("--expected-epoch <n>", "refuse (409) unless the deployment is at this epoch")
    .option("--force", "roll back even if the previous colour's last health probe failed", false)
    .action(run((ctx, _opts, cmd: Command) => rollbackCommand(ctx, cmd)));

  program
    .command("history")
    .description("flips and rollbacks, newest first")
    .option("--limit <n>", "how many entries", "20")
    .action(run((ctx, _opts, cmd: Command) => historyCommand(ctx, cmd)));

  const rollout = program
    .command("rollout")
    .description("validate <colour>, flip to it, and watch the bake until it passes (exit 0) or is rolled back (exit 1)")
    .argument("<colour>", "blue or green")
    .option("--reason <text>", "why (kept in the history)")
    .option("--interval <seconds>", "how often to refresh while baking", "1")
    .option("--bake-timeout <seconds>", "stop watching after this long (default: the policy's bake + 60 s)")
    .option("--shadow <duration>", "before the flip, shadow <colour> on live traffic this long (e.g. 30s, 10m); flip only if the shadow gate passes")
    .option("--shadow-sample <share>", "share of the predictions mirrored while shadowing (0..1)", "1");
  addValidateFlags(rollout, { target: false }).action(run((ctx, colour: string, _opts, cmd: Command) => rolloutCommand(ctx, colour, cmd)));

  const shadow = program.command("shadow").description("mirror live predictions to the standby and compare its answers with the active colour's");
  shadow
    .command("start")
    .description("start mirroring a sample of the predictions to the standby")
    .option("--sample <share>", "share of the predictions mirrored (0..1)", "0.1")
    .option("--for <duration>", "how long (e.g. 90s, 10m, 1h; at most 24h)", "10m")
    .option("--reason <text>", "why (kept in the history)")
    .action(run((ctx, _opts, cmd: Command) => shadowStartCommand(ctx, cmd)));
  shadow
    .command("stop")
    .description("stop mirroring; shows the last shadowing with the shadow gate's verdict")
    .action(run((ctx) => shadowStopCommand(ctx)));
  shadow
    .command("status")
    .description("the last shadowing: agreement, errors, latency, the shadow gate's verdict")
    .action(run((ctx) => shadowStatusCommand(ctx)));

  program
    .command("watch")
    .description("live per-colour traffic, errors and latency (Ctrl-C to stop)")
    .option("--interval <seconds>", "refresh interval", "2")
    .option("--count <n>", "stop after this many refreshes")
    .action(run((ctx, _opts, cmd: Command) => watchCommand(ctx, cmd)));

  addCheckConfigFlags(
    program
      .command("check-config")
      .description("before wrangler deploy: check wrangler.toml's vars (with the Worker's parsers), bindings, origins and secrets for one environment"),
  ).action(runOffline((printer, _opts, cmd: Command) => checkConfigCommand(printer, io.cwd, cmd)));

  return program;
}

/** Prints an error as what / why / fix (or JSON) and returns its exit code. */
export function reportError(printer: Printer, err: unknown, env: NodeJS.ProcessEnv): number {
  if (err instanceof CliError) {
    if (printer.json && !printer.documentWritten) {
      printer.document({ error: { code: err.code, message: err.message, reason: err.reason ?? null, hint: err.hint ?? null, details: err.details ?? null } });
    }
    printer.errorText(`${printer.color("red", "error:")} ${err.message}`);
    if (err.reason) printer.errorText(`  why: ${err.reason}`);
    if (err.hint) printer.errorText(`  fix: ${err.hint}`);
    return err.exitCode;
  }
  // Not a known failure: a bug. Say so, with the stack when asked for.
  const e = err as Error;
  printer.errorText(`${printer.color("red", "internal error:")} ${e?.message ?? String(err)}`);
  printer.errorText("  this is a bug in the bluegreen CLI; rerun with DEBUG=bluegreen for the stack trace and report it");
  if (env.DEBUG?.includes("bluegreen")) printer.errorText(e?.stack ?? "");
  return EXIT.failed;
}

/** Runs the CLI with `argv` (process.argv form) and resolves with the exit code. */
export async function main(argv: string[] = process.argv, io?: Partial<Io>): Promise<number> {
  const full: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), ...io };
  const state = { exitCode: EXIT.ok as number };
  const program = buildProgram(full, state);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version end with code 0; everything else commander rejects is a usage error.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw err;
  }
  return state.exitCode;
}

/** Waits until a stream has flushed what was written to it. */
function drain(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write("", () => resolve()));
}

/** Runs main and exits with its code (used by the bin shim and `tsx control/src/cli.ts`). */
export async function runAndExit(): Promise<never> {
  // A reader that goes away (`bluegreen history | head`) is not an error of
  // ours: stop quietly, as other Unix tools do, instead of crashing on EPIPE.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") process.exit(0);
      throw err;
    });
  }
  const code = await main();
  await Promise.all([drain(process.stdout), drain(process.stderr)]);
  // Exit explicitly: idle keep-alive sockets must not hold the process open.
  process.exit(code);
}

const invokedDirectly = (() => {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();
if (invokedDirectly) void runAndExit();
