/**
 * Reading Dockerfiles in tests without a Docker engine: instructions per
 * stage, exec-form arrays of CMD/HEALTHCHECK, and ENV as a map.
 */

export interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions per stage (comments dropped, `\` continuations joined). */
export function parseDockerfile(text: string): Instruction[][] {
  const logical = text
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  const stages: Instruction[][] = [];
  for (const line of logical) {
    const [, op = "", args = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === "FROM") stages.push([]);
    stages.at(-1)?.push({ op: op.toUpperCase(), args });
  }
  return stages;
}

/** The JSON (exec-form) array of a CMD, or of HEALTHCHECK's CMD after its options. */
export function execForm(args: string): string[] {
  const json = args.slice(args.indexOf("["));
  const value: unknown = JSON.parse(json);
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw new Error(`not an exec-form array: ${args}`);
  return value as string[];
}

/** ENV instructions of a stage as a map (`ENV A=1 B=2` form). */
export function envOf(stage: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { op, args } of stage) {
    if (op !== "ENV") continue;
    for (const [, k, v] of args.matchAll(/(\w+)=(\S+)/g)) env[k!] = v!;
  }
  return env;
}
