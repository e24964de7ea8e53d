/**
 * Where the CLI writes. Human mode: step lines and the final table on stdout.
 * `--json` mode: stdout holds only the JSON document; step lines go to stderr
 * so a person watching still sees progress. Every write passes through
 * redaction, so a token can never reach the terminal or a log.
 */
import { styleText } from "node:util";

export type Mark = "ok" | "fail" | "warn" | "info";

export interface PrinterOptions {
  json: boolean;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Values replaced by "***" in everything written. */
  secrets: string[];
  env: NodeJS.ProcessEnv;
}

const MARKS: Record<Mark, [string, Parameters<typeof styleText>[0]]> = {
  ok: ["✓", "green"],
  fail: ["✗", "red"],
  warn: ["!", "yellow"],
  info: ["·", "gray"],
};

export class Printer {
  readonly json: boolean;
  /** True once the JSON document has been written (at most one per run). */
  documentWritten = false;
  private secrets: string[];
  private readonly stdout: NodeJS.WriteStream;
  private readonly stderr: NodeJS.WriteStream;
  private readonly colorOk: boolean;

  constructor(opts: PrinterOptions) {
    this.json = opts.json;
    this.stdout = opts.stdout;
    this.stderr = opts.stderr;
    this.secrets = opts.secrets;
    this.colorOk = !opts.env.NO_COLOR && opts.env.TERM !== "dumb" && !!this.progressStream.isTTY;
  }

  /** Adds secrets learned after start-up (e.g. from config). */
  addSecrets(secrets: string[]): void {
    this.secrets = [...new Set([...this.secrets, ...secrets])];
  }

  /** The stream progress lines go to (stdout, or stderr in --json mode). */
  get progressStream(): NodeJS.WriteStream {
    return this.json ? this.stderr : this.stdout;
  }

  /** True when progress can be drawn in place (progress bars, live refresh). */
  get interactive(): boolean {
    return !!this.progressStream.isTTY;
  }

  /** Replaces every secret in `text` with "***". */
  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (s.length >= 4) out = out.split(s).join("***");
    return out;
  }

  /** A step line while working: "✓ load  500 requests …". */
  step(mark: Mark, name: string, text: string): void {
    this.progress(`${this.mark(mark)} ${name.padEnd(8)} ${text}`);
  }

  /** A progress line (stdout, or stderr in --json mode). */
  progress(text: string): void {
    this.progressStream.write(this.redact(text) + "\n");
  }

  /** Human result text on stdout; silent in --json mode. */
  result(text: string): void {
    if (!this.json) this.stdout.write(this.redact(text) + "\n");
  }

  /** The JSON document on stdout (only in --json mode). */
  document(value: unknown): void {
    if (!this.json || this.documentWritten) return;
    this.documentWritten = true;
    this.stdout.write(this.redact(JSON.stringify(value, null, 2)) + "\n");
  }

  /** One compact JSON line on stdout (streams such as `watch --json`). */
  jsonLine(value: unknown): void {
    this.stdout.write(this.redact(JSON.stringify(value)) + "\n");
  }

  /** An error report on stderr. */
  errorText(text: string): void {
    this.stderr.write(this.redact(text) + "\n");
  }

  /** Raw write to the progress stream (for in-place refresh). */
  raw(text: string): void {
    this.progressStream.write(this.redact(text));
  }

  /** Colours `text` when the terminal supports it. */
  color(style: Parameters<typeof styleText>[0], text: string): string {
    return this.colorOk ? styleText(style, text) : text;
  }

  /** The coloured mark for a step outcome. */
  mark(mark: Mark): string {
    const [glyph, style] = MARKS[mark];
    return this.color(style, glyph);
  }
}
