/** What every command receives: validated config and where to print. */
import type { Config } from "./config.js";
import type { Printer } from "./output/printer.js";

export interface Context {
  config: Config;
  printer: Printer;
}
