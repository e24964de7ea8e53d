/**
 * Reading configuration from environment variables, one way for every part:
 * the router's vars, the controller's rollout policy and the model server's
 * config all declare their vars with these helpers, and a bad value is one
 * ConfigError that names each bad var (never a secret's value).
 *
 * Rules shared by every var: unset and blank (after trimming) mean "use the
 * default"; a default is written once, in the var's declaration; numbers are
 * plain decimals; booleans are `true`, `false`, `1` or `0` (any case).
 * docs/architecture.md lists every var with its `defaultText` (a test checks
 * the table against these declarations).
 */
import * as z from "zod/mini";
import "./zod-messages.js";

/** One environment variable: how its text reads, its default, and whether its value may be shown. */
export interface EnvVar<T> {
  /** Reads the raw value (any type: a wrangler var may be a TOML number); issues carry the problem. */
  readonly schema: z.ZodMiniType<T, unknown>;
  /** The var's default as the docs show it: a value, "unset" or "required". */
  readonly defaultText: string;
  /** A secret's value never appears in an error line or a log. */
  readonly secret: boolean;
}

/** The parsed value of a var. */
export type EnvValue<V> = V extends EnvVar<infer T> ? T : never;
/** A set of var declarations, by name. */
export type EnvSpec = Record<string, EnvVar<unknown>>;
/** The parsed values of a spec. */
export type EnvValues<S extends EnvSpec> = { [K in keyof S]: EnvValue<S[K]> };
/** What a program's env may hold for a spec: its vars as strings, each optional. */
export type EnvStrings<S extends EnvSpec> = Partial<Record<keyof S, string | undefined>>;

/** One bad variable, with its value as it may be shown. */
export interface EnvIssue {
  variable: string;
  /** What is wrong, without the value: "must be a whole number". */
  message: string;
  /** `(got "…")`, `(not set)` or, for a secret, `(value hidden)`. */
  shown: string;
}

/**
 * An env that does not parse. `message` names the vars and what is wrong
 * with them, never their values (the router answers it to any client);
 * `issues` are the lines for operators, `VAR: what is wrong (got "…")`,
 * with secrets' values hidden.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  /** `VAR: what is wrong (got "…")`, one line per problem. */
  readonly issues: string[];

  constructor(
    /** What was being read: "Worker configuration", "rollout policy", … */
    readonly what: string,
    readonly problems: EnvIssue[],
  ) {
    super(`invalid ${what}: ${problems.map((p) => `${p.variable}: ${p.message}`).join("; ")}`);
    this.issues = problems.map((p) => `${p.variable}: ${p.message} ${p.shown}`);
  }
}

/** How a var's value is shown in an error line. */
export function shownValue(value: unknown, secret: boolean): string {
  if (secret) return "(value hidden)";
  if (value === undefined || (typeof value === "string" && value.trim() === "")) return "(not set)";
  return `(got ${JSON.stringify(value)})`;
}

/** Thrown by a var's reader for a value that does not read; the message says why, without the value. */
class Unreadable extends Error {}

interface VarOptions<T> {
  /** Used when the var is unset or blank. */
  default?: T;
  /** Unset is a problem ("required"). */
  required?: boolean;
  /** The default as the docs show it, when it is not the value itself. */
  defaultText?: string;
  secret?: boolean;
  /** Keep surrounding spaces (tokens are taken as given). */
  raw?: boolean;
}

/** The declaration of a var whose text is read by `read` (which throws Unreadable). */
function envVar<T>(read: (text: string) => T, options: VarOptions<T>): EnvVar<T> {
  const schema = z.pipe(
    z.unknown(),
    z.transform((value: unknown, ctx): T => {
      const text = typeof value === "string" ? (options.raw === true ? value : value.trim()) : value;
      if (text === undefined || text === "" || (typeof text === "string" && text.trim() === "")) {
        if (options.default !== undefined) return options.default;
        if (options.required === true) ctx.issues.push({ code: "custom", message: "required", input: value });
        return undefined as T;
      }
      if (typeof text !== "string") {
        ctx.issues.push({ code: "custom", message: `must be a string, not a ${typeof text}`, input: value });
        return undefined as T;
      }
      try {
        return read(text);
      } catch (err) {
        if (!(err instanceof Unreadable)) throw err;
        ctx.issues.push({ code: "custom", message: err.message, input: value });
        return undefined as T;
      }
    }),
  );
  const defaultText =
    options.defaultText ??
    (options.default !== undefined ? defaultAsText(options.default) : options.required === true ? "required" : "unset");
  return { schema, defaultText, secret: options.secret === true };
}

function defaultAsText(value: unknown): string {
  if (value === null) return "unset";
  if (Array.isArray(value)) return value.length === 0 ? "empty" : value.join(",");
  return String(value);
}

const WHOLE = /^\d+$/;
const DECIMAL = /^(\d+\.?\d*|\.\d+)$/;

/** A whole number in [min, max]. */
export function intVar(o: { default?: number; required?: boolean; min: number; max?: number }): EnvVar<number> {
  const max = o.max ?? Number.MAX_SAFE_INTEGER;
  return envVar((text) => {
    if (!WHOLE.test(text)) throw new Unreadable("must be a whole number");
    const n = Number(text);
    if (n < o.min) throw new Unreadable(`must be at least ${o.min}`);
    if (n > max) throw new Unreadable(`must be at most ${max}`);
    return n;
  }, o);
}

/** A share from 0 to 1; with `belowOne`, 1 itself is refused (an error-rate threshold of 100% judges nothing). */
export function rateVar(o: { default: number; belowOne?: boolean }): EnvVar<number> {
  return envVar((text) => {
    if (!DECIMAL.test(text)) throw new Unreadable("must be a number from 0 to 1");
    const n = Number(text);
    if (o.belowOne === true && n >= 1) throw new Unreadable("must be below 1 (a rate, not a percentage)");
    if (n > 1) throw new Unreadable("must be from 0 to 1 (a rate, not a percentage)");
    return n;
  }, o);
}

/** A positive decimal of at most `max`; unset (null) when `default` is null. `hint` follows each problem. */
export function positiveVar<D extends number | null>(o: { default: D; max: number; hint?: string; maxHint?: string }): EnvVar<number | D> {
  const hint = o.hint === undefined ? "" : ` (${o.hint})`;
  return envVar<number | D>((text) => {
    if (!DECIMAL.test(text)) throw new Unreadable(`must be a number${hint}`);
    const n = Number(text);
    if (n <= 0) throw new Unreadable(`must be above 0${hint}`);
    if (n > o.max) throw new Unreadable(`must be at most ${o.max}${o.maxHint === undefined ? "" : ` (${o.maxHint})`}`);
    return n;
  }, { default: o.default });
}

/** The words a boolean var accepts (any case). */
export const BOOLEAN_WORDS = { true: true, false: false, "1": true, "0": false } as const;

/** Reads a boolean word (true, false, 1, 0; any case, spaces ignored); undefined for anything else. */
export function readBoolean(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  return Object.hasOwn(BOOLEAN_WORDS, word) ? BOOLEAN_WORDS[word as keyof typeof BOOLEAN_WORDS] : undefined;
}

/** true/false/1/0, any case. */
export function boolVar(o: { default: boolean }): EnvVar<boolean> {
  return envVar((text) => {
    const value = readBoolean(text);
    if (value === undefined) throw new Unreadable("must be true, false, 1 or 0");
    return value;
  }, o);
}

/** One of `values`, exactly. */
export function enumVar<const T extends string>(values: readonly T[], o: { default: T }): EnvVar<T> {
  const listed = values.map((v) => `"${v}"`);
  const choices = listed.length > 1 ? `${listed.slice(0, -1).join(", ")} or ${listed.at(-1)}` : listed.join("");
  return envVar((text) => {
    if (!(values as readonly string[]).includes(text)) throw new Unreadable(`must be ${choices}`);
    return text as T;
  }, o);
}

type TextProblem = (text: string) => string | null;

/** Free text, optionally checked by `problem` (a message, or null when fine). */
export function textVar(o: ({ default: string } | { required: true }) & { problem?: TextProblem }): EnvVar<string>;
export function textVar(o: { defaultText?: string; problem?: TextProblem }): EnvVar<string | undefined>;
export function textVar(o: VarOptions<string> & { problem?: TextProblem }): EnvVar<string | undefined> {
  return envVar<string | undefined>((text) => {
    const problem = o.problem?.(text) ?? null;
    if (problem !== null) throw new Unreadable(problem);
    return text;
  }, o);
}

/** A secret: taken as given (not trimmed); blank is unset. Its value is never shown. */
export function secretVar(): EnvVar<string | undefined> {
  return envVar<string | undefined>((text) => text, { secret: true, raw: true });
}

/**
 * A comma-separated list; spaces around entries and empty entries are
 * ignored. `problem` judges each entry; `atLeastOne` makes an empty list a
 * problem. Problems name the entry's position, not its text.
 */
export function listVar(o: {
  problem: (entry: string) => string | null;
  normalize?: (entry: string) => string;
  required?: boolean;
  atLeastOne?: string;
}): EnvVar<string[]> {
  return envVar(
    (text) => {
      const entries = text.split(",").map((p) => p.trim()).filter((p) => p !== "");
      if (entries.length === 0 && o.atLeastOne !== undefined) throw new Unreadable(o.atLeastOne);
      const problems = entries.flatMap((entry, i) => {
        const problem = o.problem(entry);
        return problem === null ? [] : [entries.length > 1 ? `entry ${i + 1}: ${problem}` : problem];
      });
      if (problems.length > 0) throw new Unreadable(problems.join(", "));
      return o.normalize ? entries.map(o.normalize) : entries;
    },
    o.required === true ? { required: true } : { default: [] },
  );
}

/** Why `entry` is not an http(s) origin URL without credentials, query or fragment, or null. */
export function originUrlProblem(entry: string): string | null {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return "must be a URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must be an http:// or https:// URL";
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    return "origin URLs carry no credentials, query or fragment";
  }
  return null;
}

/** A pool: comma-separated http(s) origin URLs (trailing slashes dropped), at least one. */
export function originsVar(): EnvVar<string[]> {
  return listVar({
    problem: originUrlProblem,
    normalize: (u) => u.replace(/\/+$/, ""),
    required: true,
    atLeastOne: "a pool needs at least one origin URL",
  });
}

/** A var's value when unset (its default); throws for a var that is required. */
export function defaultOf<T>(v: EnvVar<T>): T {
  const parsed = v.schema.safeParse(undefined);
  if (!parsed.success) throw new TypeError(`no default: ${parsed.error.issues[0]?.message ?? "unreadable"}`);
  return parsed.data;
}

const schemaCache = new WeakMap<EnvSpec, z.ZodMiniType<Record<string, unknown>, unknown>>();

/** Reads every var of `spec` from `env` (a Worker's Env, process.env, a plain record); throws ConfigError naming each bad one. */
export function parseEnv<S extends EnvSpec>(what: string, spec: S, env: object): EnvValues<S> {
  const vars = env as Readonly<Record<string, unknown>>;
  let schema = schemaCache.get(spec);
  if (schema === undefined) {
    schema = z.object(Object.fromEntries(Object.entries(spec).map(([name, v]) => [name, v.schema])));
    schemaCache.set(spec, schema);
  }
  const picked = Object.fromEntries(Object.keys(spec).map((name) => [name, vars[name]]));
  const parsed = schema.safeParse(picked);
  if (parsed.success) return parsed.data as EnvValues<S>;
  const problems = parsed.error.issues.map((issue): EnvIssue => {
    const variable = String(issue.path[0] ?? "(env)");
    return { variable, message: issue.message, shown: shownValue(vars[variable], spec[variable]?.secret === true) };
  });
  throw new ConfigError(what, problems);
}
