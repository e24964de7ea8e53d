// Container drill (f) (docs/drills.md "Containers"), image facts, for the
// model-server and router images this run built: each runs as a non-root user
// (image config and the uid a container gets), has a node HEALTHCHECK, and
// holds no test files and none of package.json's devDependencies — except, in
// the router image, the three it runs (miniflare, wrangler, tsx;
// control/router.Dockerfile says why) — and `npm ls --omit=dev` finds its
// production tree complete. The checks run in throwaway containers (`docker
// run --rm --network none`, labelled so the teardown finds any left). Sizes
// printed with `[containers]`.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { REPO_ROOT } from "../helpers/model-server.js";
import { docker, dockerOk, RUN_LABEL } from "./helpers/docker.js";
import { currentRun } from "./helpers/run.js";

const run = currentRun();
const devDependencies = Object.keys((JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies);

const ImageConfig = z.object({
  Size: z.number(),
  Config: z.object({ User: z.string(), Healthcheck: z.object({ Test: z.array(z.string()) }).nullable().optional(), WorkingDir: z.string() }),
});

/** Lists, inside the image, the uid, the top-level node_modules packages and any test file under /app (node_modules aside). */
const SURVEY = `
const fs = require("fs"), path = require("path");
const modules = [];
for (const name of fs.readdirSync("/app/node_modules")) {
  if (name.startsWith(".")) continue;
  if (name.startsWith("@")) for (const sub of fs.readdirSync(path.join("/app/node_modules", name))) modules.push(name + "/" + sub);
  else modules.push(name);
}
const testFiles = [];
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { if (p !== "/app/node_modules") { if (/^(test|tests|__tests__)$/.test(e.name)) testFiles.push(p + "/"); walk(p); } }
    else if (/\\.(test|spec)\\.[cm]?[jt]sx?$/.test(e.name) || /^vitest\\.config/.test(e.name)) testFiles.push(p);
  }
};
walk("/app");
console.log(JSON.stringify({ uid: process.getuid(), gid: process.getgid(), modules, testFiles }));
`;
const Survey = z.object({ uid: z.number(), gid: z.number(), modules: z.array(z.string()), testFiles: z.array(z.string()) });

/** Runs `args` in a throwaway container of `image` with no network. */
function inImage(image: string, entrypoint: string, args: string[]) {
  return docker(["run", "--rm", "--network", "none", "--label", `${RUN_LABEL}=${run.project}`, "--entrypoint", entrypoint, image, ...args], { timeoutMs: 60_000 });
}

describe("(f) image facts", () => {
  it.each([
    ["model-server", run.images.modelServer, [] as string[]],
    ["router", run.images.router, ["miniflare", "wrangler", "tsx"]],
  ])("the %s image runs as non-root, has a HEALTHCHECK, holds no test files or dev dependencies", async (label, image, runtimeTools) => {
    const [config] = z.array(ImageConfig).parse(JSON.parse(await dockerOk(["image", "inspect", image])));
    const surveyRun = await inImage(image, "node", ["-e", SURVEY]);
    expect(surveyRun.code, surveyRun.stderr).toBe(0);
    const survey = Survey.parse(JSON.parse(surveyRun.stdout.trim()));
    const npmLs = await inImage(image, "npm", ["ls", "--omit=dev", "--depth=0", "--json"]);
    const devPresent = devDependencies.filter((d) => survey.modules.includes(d));

    console.log(
      `[containers] (f) ${label} image ${image}: ${(config!.Size / 1e6).toFixed(0)} MB, user ${config!.Config.User} (uid ${survey.uid}), ` +
        `HEALTHCHECK ${config!.Config.Healthcheck?.Test.slice(0, 2).join(" ")} …, ${survey.modules.length} top-level packages, ` +
        `dev dependencies present: ${devPresent.join(", ") || "none"}, test files: ${survey.testFiles.length}, npm ls --omit=dev exit ${npmLs.code}`,
    );
    expect(config!.Config.User).not.toMatch(/^(|root|0)(:.*)?$/);
    expect(survey.uid).not.toBe(0);
    expect(config!.Config.Healthcheck?.Test.slice(0, 2)).toEqual(["CMD", "node"]);
    expect(survey.testFiles).toEqual([]);
    expect(devPresent.sort()).toEqual([...runtimeTools].sort());
    expect(npmLs.code, npmLs.stdout + npmLs.stderr).toBe(0);
  });
});
