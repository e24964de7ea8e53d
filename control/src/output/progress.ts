/** A progress bar (cli-progress) on a terminal; nothing at all otherwise. */
import cliProgress from "cli-progress";
import type { Printer } from "./printer.js";

export interface Progress {
  /** Advances by `n` (default 1). */
  tick(n?: number): void;
  /** Removes the bar. */
  stop(): void;
}

const NOOP: Progress = { tick() {}, stop() {} };

/** Starts a bar of `total` units labelled `label`, when the output is a terminal. */
export function startProgress(printer: Printer, label: string, total: number, unit: string): Progress {
  if (!printer.interactive) return NOOP;
  const bar = new cliProgress.SingleBar(
    {
      stream: printer.progressStream,
      format: `  ${label.padEnd(8)} {bar} {value}/{total} ${unit} · {eta_formatted} left`,
      barsize: 30,
      clearOnComplete: true,
      hideCursor: true,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  let value = 0;
  return {
    tick(n = 1) {
      value = Math.min(total, value + n);
      bar.update(value);
    },
    stop() {
      bar.stop();
    },
  };
}
