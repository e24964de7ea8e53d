// Runs docs/deploy.md: every command in its ```sh tested blocks, in the
// doc's order, through `sh -c` as an operator would type it, and checks what
// each one must show. The setting is a copy of this repository (symlinks)
// whose wrangler.toml was edited as the doc's step 2 says (a real-looking KV
// id and origins for [env.production]), a temporary HOME for the secrets
// file, and — in place of the deployed router, which cannot exist here — a
// router in local workerd in front of real blue v1 / green v2 model servers
// started with the tokens from that secrets file. Three substitutions, and
// only these: `export ROUTER_URL=…workers.dev` gets the local router's URL;
// the rollout gets small-load flags appended (a 60-request validation, a
// loose p99 ratio, a short bake: these tests are not about latency); and
// production-like traffic runs during the rollout, as it would. It also
// checks that no runnable command sits outside a tested block.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ModelServerHandle, startModelServer } from "../helpers/model-server.js";
import { cleanupRouterBundle, type RouterHandle, startRouter } from "../helpers/router.js";
import { REAL_KV_ID } from "./check-config/fixtures.js";
import { REPO_ROOT } from "./run-cli.js";

const DOC = path.join(REPO_ROOT, "docs", "deploy.md");
const ORIGINS = { blue: "https://blue.models.bluegreen-edge.dev", green: "https://green.models.bluegreen-edge.dev" };
/** Appended to the rollout: small and quick; the doc's own flags stay as written. */
const ROLLOUT_TEST_FLAGS = "--requests 60 --concurrency 6 --max-p99-ratio 20 --interval 0.5 --bake-timeout 40";
/** A controller that decides within seconds (the doc's production policy bakes for 120 s). */
const FAST_POLICY = { BAKE_SECONDS: "6", HEALTH_INTERVAL_SECONDS: "1", FAST_WINDOW_SECONDS: "5", MIN_REQUESTS: "20", REPORT_INTERVAL_MS: "250", FLAG_TTL_MS: "250" };
/** What the repository copy links to (wrangler.toml is a real, edited file). */
const LINKED = ["package.json", "package-lock.json", "node_modules", "control", "worker", "model-server", "tsconfig.json"];
/** Settings of the parent that must not leak into the operator's shell. */
const SCRUBBED = ["ROUTER_URL", "ADMIN_TOKEN", "ORIGIN_TOKEN", "BLUE_URL", "GREEN_URL", "FORCE_COLOR", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID"];

interface ShBlock {
  tested: boolean;
  commands: string[];
}

/** The ```sh blocks of a markdown text; "tested" after the language marks the ones this file runs. */
function shBlocks(markdown: string): ShBlock[] {
  return [...markdown.matchAll(/^```sh([^\n]*)\n([\s\S]*?)^```/gm)].map((m) => ({
    tested: /\btested\b/.test(m[1]!),
    commands: m[2]!.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#")),
  }));
}

const blocks = shBlocks(readFileSync(DOC, "utf8"));
const tested = blocks.filter((b) => b.tested).flatMap((b) => b.commands);

interface Run {
  code: number | null;
  out: string;
}

interface Session {
  repo: string;
  home: string;
  env: Record<string, string>;
  router?: RouterHandle;
  servers: ModelServerHandle[];
}
let s: Session;

/** Runs one command line as the operator's shell would, in the repository copy. */
function sh(command: string, timeoutMs = 120_000): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of SCRUBBED) delete env[k];
  Object.assign(env, { HOME: s.home, NO_COLOR: "1", WRANGLER_SEND_METRICS: "false", npm_config_update_notifier: "false" }, s.env);
  return new Promise((resolve) => {
    const proc = spawn("sh", ["-c", command], { cwd: s.repo, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    proc.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    proc.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
    const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
    proc.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

async function secrets(): Promise<Record<string, string>> {
  const text = await readFile(path.join(s.home, ".bluegreen-production.secrets"), "utf8");
  return Object.fromEntries([...text.matchAll(/^(\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
}

/** Starts the stand-in for the deployed router: real model servers and the Worker in local workerd, with the doc's tokens. */
async function startLocalDeployment(): Promise<void> {
  const t = await secrets();
  const [blue, green] = await Promise.all([
    startModelServer({ version: "v1", env: { MODEL_NAME: "sentiment", ORIGIN_TOKEN: t.ORIGIN_TOKEN! } }),
    startModelServer({ version: "v2", env: { MODEL_NAME: "sentiment", ORIGIN_TOKEN: t.ORIGIN_TOKEN! } }),
  ]);
  s.servers.push(blue, green);
  s.router = await startRouter({ blueOrigins: [blue.url], greenOrigins: [green.url], adminToken: t.ADMIN_TOKEN!, originToken: t.ORIGIN_TOKEN!, vars: FAST_POLICY });
}

/** Production-like traffic through the router until stopped. */
function traffic(): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    for (let i = 0; running && i < 2_000; i++) {
      await fetch(`${s.router!.url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: `order ${i} arrived, works fine` }), signal: AbortSignal.timeout(5_000) })
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
      await new Promise((r) => setTimeout(r, 40));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** What each tested command must do; every tested command matches exactly one, and each is used once. */
const EXPECT: Array<{ name: string; matches: RegExp; run(command: string): Promise<void> }> = [
  {
    name: "secrets file",
    matches: /^umask 077; printf .* > ~\/\.bluegreen-production\.secrets$/,
    async run(command) {
      const r = await sh(command);
      expect(r.code, r.out).toBe(0);
      const file = path.join(s.home, ".bluegreen-production.secrets");
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(await readFile(file, "utf8")).toMatch(/^ADMIN_TOKEN=[0-9a-f]{64}\nORIGIN_TOKEN=[0-9a-f]{64}\n$/);
      await startLocalDeployment();
    },
  },
  {
    name: "check-config",
    matches: /^npm run check-config -- --env production --secrets-from ~\/\.bluegreen-production\.secrets$/,
    async run(command) {
      const r = await sh(command);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/^✓ binding +ROUTING → namespace 3f9c2a7d5e1b4c8a9d0e6f2b7a1c5d3e$/m);
      expect(r.out).toMatch(/^✓ secrets +ORIGIN_TOKEN: set in .*\.bluegreen-production\.secrets$/m);
      expect(r.out).toMatch(/^✓ check-config passed: ready for npx wrangler deploy --env production$/m);
      for (const v of Object.values(await secrets())) expect(r.out).not.toContain(v);
    },
  },
  {
    name: "dry-run deploy",
    matches: /^npx wrangler deploy --dry-run --env production --outdir "\$\(mktemp -d\)"$/,
    async run(command) {
      const r = await sh(command);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain(`env.ROUTING (${REAL_KV_ID})`);
      expect(r.out).toContain(`env.BLUE_ORIGINS ("${ORIGINS.blue}")`);
      expect(r.out).toMatch(/env\.DEPLOYMENTS \(DeploymentController\) +Durable Object/);
      expect(r.out).toContain("--dry-run: exiting now.");
    },
  },
  {
    name: "export",
    matches: /^export [A-Z_]+=/,
    async run(command) {
      const [, name, value] = /^export ([A-Z_]+)=(.*)$/.exec(command)!;
      if (name === "ROUTER_URL") {
        expect(value).toMatch(/^https:\/\/bluegreen-router-production\.<your-subdomain>\.workers\.dev$/);
        s.env.ROUTER_URL = s.router!.url; // The deployed router cannot exist here: the local one stands in.
        return;
      }
      const r = await sh(`${command}; printf %s "$${name}"`);
      expect(r.code, r.out).toBe(0);
      expect(r.out, `${name} evaluated to nothing`).not.toBe("");
      s.env[name!] = r.out;
      if (name === "ADMIN_TOKEN") expect(r.out).toBe((await secrets()).ADMIN_TOKEN);
    },
  },
  {
    name: "status",
    matches: /^npx bluegreen status$/,
    async run(command) {
      const r = await sh(command);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/^deployment +blue active · phase stable · epoch 1/m);
    },
  },
  {
    name: "curl",
    matches: /^curl -si "\$ROUTER_URL\/predict" /,
    async run(command) {
      const r = await sh(command);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/^HTTP\/1\.1 200/);
      expect(r.out).toMatch(/^x-bluegreen-color: blue\r?$/im);
      expect(r.out).toMatch(/"prediction":"positive",.*"model_version":"v1"/);
    },
  },
  {
    name: "rollout",
    matches: /^npx bluegreen rollout green --via-router --reason "[^"]+"$/,
    async run(command) {
      const load = traffic();
      let r: Run;
      try {
        r = await sh(`${command} ${ROLLOUT_TEST_FLAGS}`);
      } finally {
        await load.stop();
      }
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/target +green at .* \(router, preview green\); baseline blue/);
      expect(r.out).toMatch(/✓ bake +green passed the bake and is stable/);
      expect(r.out).toMatch(/rollout passed: green serves all traffic/);
    },
  },
  {
    name: "watch",
    matches: /^npx bluegreen watch --count 3$/,
    async run(command) {
      const r = await sh(command);
      expect(r.code, r.out).toBe(0);
      expect(r.out.split("\n").filter((l) => /green/.test(l)).length).toBeGreaterThanOrEqual(3);
    },
  },
  {
    name: "history",
    matches: /^npx bluegreen history$/,
    async run(command) {
      const r = await sh(command);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain("first rollout: sentiment v2");
    },
  },
];

beforeAll(async () => {
  const repo = await mkdtemp(path.join(tmpdir(), "bluegreen-deploy-doc-"));
  const home = path.join(repo, ".home");
  await mkdir(home);
  for (const name of LINKED) await symlink(path.join(REPO_ROOT, name), path.join(repo, name));
  // Step 2 of the doc: the KV id wrangler printed, and the origins, in [env.production].
  let toml = await readFile(path.join(REPO_ROOT, "wrangler.toml"), "utf8");
  for (const [from, to] of [
    ['id = "22222222222222222222222222222222"', `id = "${REAL_KV_ID}"`],
    ['BLUE_ORIGINS = "https://blue.example.com"', `BLUE_ORIGINS = "${ORIGINS.blue}"`],
    ['GREEN_ORIGINS = "https://green.example.com"', `GREEN_ORIGINS = "${ORIGINS.green}"`],
  ] as const) {
    expect(toml.split(from).length - 1, `wrangler.toml should hold ${from} once (the doc's step 2 edits it)`).toBe(1);
    toml = toml.replace(from, to);
  }
  await writeFile(path.join(repo, "wrangler.toml"), toml);
  s = { repo, home, env: {}, servers: [] };
});

afterAll(async () => {
  await s?.router?.stop();
  await Promise.all(s?.servers.map((x) => x.stop()) ?? []);
  await cleanupRouterBundle();
  if (s) await rm(s.repo, { recursive: true, force: true });
});

describe("docs/deploy.md", () => {
  it("runs every command that can run here: none sits outside a ```sh tested block", () => {
    const runnable = /^(npx bluegreen|npm run check-config|npx wrangler deploy --dry-run|curl |umask )/;
    expect(blocks.filter((b) => !b.tested).flatMap((b) => b.commands).filter((c) => runnable.test(c))).toEqual([]);
  });

  it("holds exactly the commands this test knows how to check, each once", () => {
    const used = tested.map((c) => EXPECT.filter((e) => e.matches.test(c)).map((e) => e.name));
    expect(used.filter((names) => names.length !== 1), `commands:\n${tested.join("\n")}`).toEqual([]);
    const once = EXPECT.map((e) => e.name).filter((n) => n !== "export");
    expect(used.flat().filter((n) => n !== "export").sort()).toEqual([...once].sort());
    expect(used.flat().filter((n) => n === "export")).toHaveLength(2);
  });

  for (const command of tested) {
    it(`$ ${command}`, async () => {
      const e = EXPECT.find((x) => x.matches.test(command));
      if (!e) throw new Error(`no expectation for this command in test/control/deploy-doc.test.ts: ${command}`);
      await e.run(command);
    }, 120_000);
  }
});
