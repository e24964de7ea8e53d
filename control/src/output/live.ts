/**
 * A block of lines refreshed in place on a terminal (cursor up, clear,
 * redraw), or one summary line per refresh when the output is a pipe or file.
 */
import type { Printer } from "./printer.js";

export class LiveView {
  private drawn = 0;

  constructor(private readonly printer: Printer) {}

  /** Shows `block` (terminal) or `line` (otherwise). */
  update(block: string[], line: string): void {
    if (!this.printer.interactive) {
      this.printer.progress(line);
      return;
    }
    // Move up over the previous block, clear to the end of the screen, redraw.
    const up = this.drawn > 0 ? `\x1b[${this.drawn}F\x1b[0J` : "";
    this.printer.raw(up + block.join("\n") + "\n");
    this.drawn = block.length;
  }

  /** Keeps what is on screen and starts fresh below it. */
  done(): void {
    this.drawn = 0;
  }
}
