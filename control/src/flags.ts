/**
 * Validates a command's flags with zod: commander hands over strings (and
 * booleans); the command's schema coerces and checks them, and an invalid
 * value becomes a usage error that names the flag as it is typed.
 */
import type { Command } from "commander";
import { z } from "zod";
import { UsageError } from "./errors.js";

/** Parses a command's option values with `schema`; throws UsageError naming the flag as typed. */
export function parseFlags<S extends z.ZodType>(schema: S, cmd: Command): z.infer<S> {
  const values = cmd.opts();
  const parsed = schema.safeParse(values);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = issue.path[0];
  const option = cmd.options.find((o) => o.attributeName() === key);
  const flag = option?.long ?? (typeof key === "string" ? key : "");
  const got = typeof key === "string" && values[key] !== undefined ? ` (got ${JSON.stringify(values[key])})` : "";
  throw new UsageError(`${flag ? `${flag} ` : ""}${issue.message}${got}.`, {
    hint: `see \`bluegreen ${cmd.name()} --help\``,
  });
}

/** A whole number in [min, max], from a flag string. */
export const intFlag = (min: number, max: number) =>
  z.coerce.number({ error: "must be a number" }).int({ error: "must be a whole number" }).min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` });

/** A share in [0, 1], from a flag string. */
export const ratioFlag = () =>
  z.coerce.number({ error: "must be a number" }).min(0, { error: "must be between 0 and 1" }).max(1, { error: "must be between 0 and 1" });

/** A positive number of milliseconds, from a flag string. */
export const msFlag = () => z.coerce.number({ error: "must be a number of milliseconds" }).positive({ error: "must be more than 0" });
