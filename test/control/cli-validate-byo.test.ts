// Covers `bluegreen validate` against model servers that follow only the
// minimal origin contract (docs/architecture.md "Bring your own model
// server"): the FastAPI fixture in the seed's shape (test/fixtures/
// fastapi-server, no model_name, digest, /ready, /predict/batch or origin
// token) passes the health, smoke and load gates with `--url … --baseline
// none`; its quality result is the golden-set accuracy of its own answers,
// computed here independently, and the accuracy gate passes or fails on that
// figure; --expect-version works from /health's model_version, and
// --expect-digest fails naming the field it lacks; blue and green fixtures
// compare as baseline and target. Origins whose answers cannot be used at
// all (HTML from /predict, no /health route) fail naming the route and the
// contract's section.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGoldenSet } from "../../contract/golden-set.js";
import { type BrokenOrigin, startBrokenOrigin } from "../helpers/broken-origin.js";
import { type FastApiServerHandle, startFastApiServer } from "../helpers/fastapi-server.js";
import { REPO_ROOT } from "../helpers/model-server.js";
import { jsonOf, runCli, show } from "./run-cli.js";

const DOC = "docs/architecture.md#bring-your-own-model-server";
// Small but real load; loose p99 limits, so a busy machine does not fail the gates these tests are not about.
const LOAD = ["--requests", "120", "--concurrency", "12", "--max-p99-ratio", "20", "--max-p99-ms", "5000"];
const golden = parseGoldenSet(readFileSync(path.join(REPO_ROOT, "model-server/golden/sentiment.jsonl"), "utf8"));

let blue: FastApiServerHandle;
let green: FastApiServerHandle;
let broken: BrokenOrigin;

beforeAll(async () => {
  [blue, green, broken] = await Promise.all([startFastApiServer({ version: "v1" }), startFastApiServer({ version: "v2" }), startBrokenOrigin()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([blue?.stop(), green?.stop(), broken?.stop()]);
});

/** The fixture's golden-set accuracy, from its own /predict answers, one text at a time. */
async function accuracyOf(server: FastApiServerHandle): Promise<{ correct: number; accuracy: number }> {
  let correct = 0;
  for (const e of golden) {
    const res = await fetch(`${server.url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: e.text }), signal: AbortSignal.timeout(5_000) });
    const body = (await res.json()) as { prediction: string };
    if (body.prediction === e.label) correct++;
  }
  return { correct, accuracy: correct / golden.length };
}

describe("validate --url against a FastAPI server in the seed's shape", () => {
  let expected: { correct: number; accuracy: number };
  beforeAll(async () => {
    expected = await accuracyOf(green);
  }, 30_000);

  it("passes health, smoke and load; quality is the accuracy of its own answers, via one /predict per text", async () => {
    const r = await runCli(["--json", "validate", "--url", green.url, "--baseline", "none", ...LOAD]);
    const report = jsonOf<any>(r);
    const gate = (name: string) => report.gates.find((g: { gate: string }) => g.gate === name);
    for (const name of ["health", "smoke", "error-rate", "p99"]) expect(gate(name).status, `${name}\n${show(r)}`).toBe("passed");
    expect(gate("regression")).toMatchObject({ status: "skipped" });
    expect(report.health.health).toEqual({ status: "healthy", model_version: "v2", uptime_seconds: expect.any(Number), request_count: expect.any(Number), error_rate: 0 });
    expect(gate("smoke").observed).toBe("4/4 checks conform (not offered, optional: /predict/batch, /ready)");
    expect(r.stderr).toMatch(/✓ smoke +4\/4 checks conform to the origin contract \(not offered, optional: \/predict\/batch, \/ready\)\n/);
    expect(report.load).toMatchObject({ total: 120, errors: 0 });
    expect(report.quality).toMatchObject({ examples: golden.length, route: "/predict", target: { correct: expected.correct, accuracy: expected.accuracy } });
    expect(gate("accuracy").status).toBe(expected.accuracy >= 0.7 ? "passed" : "failed");
    expect(r.stderr).toMatch(/✓ health +v2 \(no digest reported\), healthy after 1 attempt/);
    expect(r.stderr).toMatch(/quality +accuracy [\d.]+% on 241 golden examples \(one \/predict per text: no \/predict\/batch\)/);
    expect(r.code, show(r)).toBe(expected.accuracy >= 0.7 ? 0 : 1);
  });

  it("passes or fails the accuracy gate on that figure alone", async () => {
    const at = (x: number) => (Math.round(x * 1000) / 1000).toFixed(3);
    const quick = ["--baseline", "none", "--requests", "20", "--concurrency", "4", "--max-p99-ratio", "20"];
    const pass = await runCli(["validate", "--url", green.url, ...quick, "--min-accuracy", at(expected.accuracy - 0.005)]);
    expect(pass.code, show(pass)).toBe(0);
    expect(pass.stdout).toMatch(/^accuracy +pass /m);
    const fail = await runCli(["validate", "--url", green.url, ...quick, "--min-accuracy", at(expected.accuracy + 0.005)]);
    expect(fail.code, show(fail)).toBe(1);
    expect(fail.stdout).toMatch(new RegExp(`^accuracy +FAIL +[\\d.]+% \\(${expected.correct}/${golden.length}\\)`, "m"));
    expect(fail.stderr).toMatch(/validate failed: gate accuracy did not pass/);
  });

  it("--expect-version reads /health's model_version; --expect-digest fails naming the field the server does not report", async () => {
    const quick = ["--baseline", "none", "--requests", "20", "--concurrency", "4", "--max-p99-ratio", "20", "--min-accuracy", "0"];
    const version = await runCli(["validate", "--url", green.url, "--expect-version", "v2", ...quick]);
    expect(version.code, show(version)).toBe(0);
    expect(version.stdout).toMatch(/^health +pass +v2 +healthy, version v2/m);
    const digest = await runCli(["validate", "--url", green.url, "--expect-digest", `sha256:${"ab".repeat(32)}`, ...quick]);
    expect(digest.code, show(digest)).toBe(1);
    expect(digest.stdout).toContain(`/health reports no model_digest, so --expect-digest cannot be checked (an optional field: ${DOC})`);
  });

  it("compares green with blue as baseline: regression and agreement from both servers' answers", async () => {
    const r = await runCli(["--json", "validate", "--color", "green", ...LOAD], { env: { BLUE_URL: blue.url, GREEN_URL: green.url } });
    expect(r.code, show(r)).toBe(expected.accuracy >= 0.7 ? 0 : 1);
    const report = jsonOf<any>(r);
    // Same model, other version: the same answers.
    expect(report.quality).toMatchObject({ regression: 0, agreement: 1, baseline: { name: "blue", accuracy: expected.accuracy } });
    expect(report.loadRounds).toBeGreaterThan(1);
  });
});

describe("answers that cannot be used name the route and the contract", () => {
  it("a /predict answering HTML fails smoke with the route, what came, and the section to read", async () => {
    const r = await runCli(["validate", "--url", `${broken.url}/html`, "--baseline", "none", "--health-retries", "0", ...LOAD]);
    expect(r.code, show(r)).toBe(1);
    expect(r.stdout).toMatch(/✓ health +version not reported \(no digest reported\)/);
    expect(r.stdout).toContain(`predict positive: POST /predict answered text/html, not JSON ("<html><body>Welcome to nginx!</body></html>"); the contract needs {"prediction": string, "model_version": string} (${DOC})`);
    expect(r.stderr).toMatch(/validate failed: gate smoke did not pass/);
    expect(r.stderr).toContain(`fix: the target breaks the origin contract (${DOC})`);
  });

  it("no /health route fails the health gate, naming the route", async () => {
    const r = await runCli(["validate", "--url", `${broken.url}/nohealth`, "--baseline", "none", "--health-retries", "0", ...LOAD]);
    expect(r.code, show(r)).toBe(1);
    expect(r.stdout).toContain(`HTTP 404: no GET /health route (required: ${DOC})`);
    expect(r.stdout).toMatch(/^smoke +skip/m);
  });
});
