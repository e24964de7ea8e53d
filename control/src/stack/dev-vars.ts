/**
 * The local secrets file `.dev.vars` (KEY=value lines, as wrangler and the
 * CLI read it): created with mode 0600 and random 32-byte hex ADMIN_TOKEN
 * and ORIGIN_TOKEN when missing; a token missing from an existing file is
 * appended; a file that holds tokens is always made 0600 (a hand-made one
 * may be 0644). Token values are never printed.
 */
import { randomBytes } from "node:crypto";
import { appendFileSync, chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { UsageError } from "../errors.js";

export const TOKEN_KEYS = ["ADMIN_TOKEN", "ORIGIN_TOKEN"] as const;
/** Keys whose presence makes the file secret (the webhook URL is its own token). */
const SECRET_KEYS = [...TOKEN_KEYS, "ALERT_WEBHOOK_URL"];
export type TokenKey = (typeof TOKEN_KEYS)[number];
const HEADER = "# Local secrets for the bluegreen stack (written by npm start; never commit).\n";

/** What ensureDevVars found or did. */
export interface DevVarsResult {
  tokens: Record<TokenKey, string>;
  /** The file did not exist and was written. */
  created: boolean;
  /** Keys written with random values (to a new file or appended to an existing one). */
  added: TokenKey[];
  /** Where each token came from. */
  sources: Record<TokenKey, "env" | "file">;
  /** The mode (e.g. 0o644) of an existing file that held tokens and was open to others; it is 0600 now. */
  madePrivateFrom: number | null;
}

/** A fresh random token: 32 bytes as hex. */
export function randomToken(): string {
  return randomBytes(32).toString("hex");
}

function readIfExists(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new UsageError(`Cannot read ${file}.`, {
      reason: (err as Error).message,
      hint: `fix its permissions, or remove it and npm start writes a new one`,
    });
  }
}

/**
 * Tokens for the stack: each from the environment when set there, else from
 * `file`, which is created (0600) or completed with random tokens as needed.
 */
export function ensureDevVars(file: string, env: NodeJS.ProcessEnv): DevVarsResult {
  const text = readIfExists(file);
  const existing = text === null ? {} : (parseEnv(text) as Record<string, string>);
  const tokens = {} as Record<TokenKey, string>;
  const sources = {} as Record<TokenKey, "env" | "file">;
  const missing: TokenKey[] = [];
  for (const key of TOKEN_KEYS) {
    const fromEnv = env[key]?.trim();
    const fromFile = existing[key]?.trim();
    if (fromEnv) {
      tokens[key] = fromEnv;
      sources[key] = "env";
    } else if (fromFile) {
      tokens[key] = fromFile;
      sources[key] = "file";
    } else {
      tokens[key] = randomToken();
      sources[key] = "file";
      missing.push(key);
    }
  }
  for (const key of TOKEN_KEYS) {
    if (!/^\S+$/.test(tokens[key])) {
      throw new UsageError(`${key} ${sources[key] === "env" ? "in the environment" : `in ${file}`} contains spaces.`, {
        reason: "tokens are sent in HTTP headers and must be one word",
        hint: sources[key] === "env" ? `unset ${key} or set it to a token without spaces` : `fix or delete the line in ${file}; npm start writes a random one`,
      });
    }
  }
  const lines = missing.map((k) => `${k}=${tokens[k]}\n`).join("");
  if (missing.length > 0) {
    try {
      if (text === null) {
        writeFileSync(file, HEADER + lines, { mode: 0o600 });
        return { tokens, created: true, added: missing, sources, madePrivateFrom: null };
      }
      appendFileSync(file, (text.endsWith("\n") || text === "" ? "" : "\n") + lines);
    } catch (err) {
      throw new UsageError(`Cannot write ${missing.join(" and ")} to ${file}.`, {
        reason: (err as Error).message,
        hint: `set ${missing.join(" and ")} in the environment, or pass --dev-vars with a writable path`,
      });
    }
  }
  const holdsSecrets = missing.length > 0 || SECRET_KEYS.some((k) => (existing[k] ?? "").trim() !== "");
  const madePrivateFrom = text !== null && holdsSecrets ? makePrivate(file) : null;
  return { tokens, created: false, added: missing, sources, madePrivateFrom };
}

/** chmod 0600 when group or others may read or write `file`; returns the mode it had, or null when it was private. */
function makePrivate(file: string): number | null {
  try {
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) === 0) return null;
    chmodSync(file, 0o600);
    return mode;
  } catch (err) {
    throw new UsageError(`Cannot make ${file} private (mode 0600).`, {
      reason: `it holds tokens and others may read it; chmod failed: ${(err as Error).message}`,
      hint: `run chmod 600 ${file} (as its owner), or move the tokens to the environment and delete the file`,
    });
  }
}
