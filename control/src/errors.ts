/**
 * The CLI's typed errors. Each one carries what happened (`message`), why
 * (`reason`) and how to fix it (`hint`), and the exit code (docs/cli.md).
 * `cli.ts` is the one place that turns them into output and an exit code.
 */

/** Exit codes (docs/cli.md) (130 is the shell's convention for Ctrl-C). */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  unreachable: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface ErrorParts {
  /** Why it happened. */
  reason?: string;
  /** How to fix it. */
  hint?: string;
  /** Extra machine-readable facts for `--json` (never secrets). */
  details?: unknown;
}

/** Base class: an expected failure with a readable message and an exit code. */
export abstract class CliError extends Error {
  abstract readonly exitCode: ExitCode;
  /** Stable machine-readable code for `--json`. */
  abstract readonly code: string;
  readonly reason: string | undefined;
  readonly hint: string | undefined;
  readonly details: unknown;

  constructor(message: string, parts: ErrorParts = {}) {
    super(message);
    this.reason = parts.reason;
    this.hint = parts.hint;
    this.details = parts.details;
  }
}

/** Bad flags, arguments or configuration (exit 2). */
export class UsageError extends CliError {
  override name = "UsageError";
  readonly exitCode = EXIT.usage;
  readonly code = "usage";
}

/** A validation gate failed, the controller rolled back, or the API refused (exit 1). */
export class GateFailed extends CliError {
  override name = "GateFailed";
  readonly exitCode = EXIT.failed;
  readonly code: string;
  /** The gate (or outcome) that failed, e.g. "error-rate", "rolled-back". */
  readonly gate: string;

  constructor(gate: string, message: string, parts: ErrorParts = {}) {
    super(message, parts);
    this.gate = gate;
    this.code = `gate_failed:${gate}`;
  }
}

/** A model server or the router could not be reached or did not answer usefully (exit 3). */
export class Unreachable extends CliError {
  override name = "Unreachable";
  readonly exitCode = EXIT.unreachable;
  readonly code = "unreachable";
}

/** The operator pressed Ctrl-C; nothing was changed by the interruption (exit 130). */
export class Interrupted extends CliError {
  override name = "Interrupted";
  readonly exitCode = EXIT.interrupted;
  readonly code = "interrupted";
}
