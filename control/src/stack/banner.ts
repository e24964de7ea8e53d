/**
 * What `npm start` prints once the stack is up: the URLs, where the tokens
 * are (never the tokens), and the commands to try next — with the
 * environment the CLI then needs when ports or the tokens file are not the
 * CLI's defaults.
 */
import path from "node:path";
import { SETTINGS } from "../config.js";
import type { StackUp } from "./stack.js";

export interface BannerInput {
  up: StackUp;
  /** The --dev-vars path as given. */
  devVars: string;
  cwd: string;
  routerOnly: boolean;
}

/** The lines of the banner (no trailing newline). */
export function bannerLines({ up, devVars, cwd, routerOnly }: BannerInput): string[] {
  const green = up.colors?.find((c) => c.color === "green");
  const lines = ["", "The stack is up. Ctrl-C (or SIGTERM) stops it.", ""];
  const row = (name: string, where: string, what: string) => lines.push(`  ${name.padEnd(8)} ${where.padEnd(24)} ${what}`);
  row("router", up.routerUrl, "POST /predict · /admin/* with ADMIN_TOKEN");
  for (const c of up.colors ?? []) row(c.color, c.url, `sentiment ${c.version}`);
  const devVarsPath = path.resolve(cwd, devVars);
  const fromEnv = Object.values(up.tokens.sources).every((s) => s === "env");
  row("tokens", fromEnv ? "(the environment)" : `cat ${path.relative(cwd, devVarsPath) || devVars}`, "ADMIN_TOKEN for the admin API, ORIGIN_TOKEN for the model servers");

  const exports: string[] = [];
  if (up.routerUrl !== SETTINGS.routerUrl.default) exports.push(`ROUTER_URL=${up.routerUrl}`);
  for (const c of up.colors ?? []) {
    const setting = c.color === "blue" ? SETTINGS.blueUrl : SETTINGS.greenUrl;
    if (c.url !== setting.default) exports.push(`${setting.env}=${c.url}`);
  }
  lines.push("", "Next, in another terminal:");
  if (exports.length > 0) lines.push(`  export ${exports.join(" ")}    # not the CLI's default ports`);
  if (!fromEnv && devVarsPath !== path.join(cwd, ".dev.vars")) {
    lines.push(`  cd ${path.dirname(devVarsPath)}    # the CLI reads .dev.vars from its working directory`);
  }
  const cmd = (c: string, what: string) => lines.push(`  ${c.padEnd(38)} ${what}`);
  if (routerOnly) {
    cmd("npm run validate -- --via-router", "validate green through the router's preview");
  } else {
    cmd("npm run validate", `validate green${green ? ` (${green.version})` : ""} before it takes traffic`);
  }
  cmd("npm run flip -- green", "send all traffic to green; the bake starts");
  cmd("npm run status", "active colour, phase, epoch, health, traffic");
  cmd("npm run rollback", "back to the previous colour now");
  cmd("npm run watch", "live traffic per colour (Ctrl-C ends it)");
  lines.push(`  curl -s ${up.routerUrl}/predict -H 'content-type: application/json' -d '{"text":"I love it"}'`);
  return lines;
}
