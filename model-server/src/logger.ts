/**
 * One JSON line per event: info and warn on stdout, error on stderr. Callers
 * pass only what may be logged; nothing here ever sees the origin token.
 */

export type LogLevel = "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

/** Where log lines go; the default writes to the process's stdout/stderr. */
export type LogSink = (level: LogLevel, line: string) => void;

const processSink: LogSink = (level, line) => {
  (level === "error" ? process.stderr : process.stdout).write(line + "\n");
};

/** Serialises an error for a log line (name, message, stack). */
export function errorFields(err: unknown): LogFields {
  if (err instanceof Error) return { error: err.name, message: err.message, stack: err.stack };
  return { error: String(err) };
}

/** Creates a JSON-lines logger; `base` fields are added to every line. */
export function createLogger(base: LogFields = {}, sink: LogSink = processSink): Logger {
  const write = (level: LogLevel, event: string, fields: LogFields = {}) => {
    sink(level, JSON.stringify({ ts: new Date().toISOString(), level, event, ...base, ...fields }));
  };
  return {
    info: (event, fields) => write("info", event, fields),
    warn: (event, fields) => write("warn", event, fields),
    error: (event, fields) => write("error", event, fields),
  };
}
