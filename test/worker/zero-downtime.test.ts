// Covers the whole serving path during flips (docs/architecture.md "Router"):
// ≥ 500 predictions sent from two isolates against real model servers (blue
// v1, green v2) while an operator flips back and forth 10 times through one
// of them's admin API — not one request fails, every answer comes from the
// colour its headers name, and both colours serve.
import { describe, expect, it } from "vitest";
import { adminRequest, newIsolate, predictRequest, send, sendSettled, testEnv } from "./helpers.js";

const FLIPS = 10;
const MIN_REQUESTS = 500;
const CONCURRENCY = 8;
/** Flip i happens once this many requests times (i + 1) were sent, so flips spread over the traffic. */
const REQUESTS_PER_FLIP = Math.floor(MIN_REQUESTS / (FLIPS + 1));
const MAX_DURATION_MS = 20_000;
const VERSION_OF: Record<string, string> = { blue: "v1", green: "v2" };

describe("flipping under load", () => {
  it(`0 failed requests among ≥ ${MIN_REQUESTS} sent while flipping ${FLIPS} times`, async () => {
    const e = testEnv({ FLAG_TTL_MS: "100" });
    // The operator's isolate also serves traffic (it sees each flip at once);
    // the other one follows through its TTL and background refresh.
    const operator = newIsolate();
    const traffic = [operator, newIsolate()];
    const failures: string[] = [];
    const served: Record<string, number> = { blue: 0, green: 0 };
    const background: Promise<void>[] = [];
    let sent = 0;
    let flipsDone = 0;
    const deadline = Date.now() + MAX_DURATION_MS;

    const flipper = (async () => {
      for (let i = 0; i < FLIPS; i++) {
        while (sent < (i + 1) * REQUESTS_PER_FLIP && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
        const res = await sendSettled(operator, e, adminRequest("POST", "/admin/flip", { to: i % 2 === 0 ? "green" : "blue", reason: `drill ${i}` }));
        if (res.status !== 200) failures.push(`flip ${i}: ${res.status} ${await res.text()}`);
        else await res.body?.cancel();
        flipsDone += 1;
      }
    })();

    const workers = Array.from({ length: CONCURRENCY }, async (_, w) => {
      while ((flipsDone < FLIPS || sent < MIN_REQUESTS) && Date.now() < deadline) {
        sent += 1;
        const router = traffic[w % traffic.length]!;
        const out = await send(router, e, predictRequest(`request ${sent}: what a wonderful day`));
        background.push(out.settle());
        const color = out.res.headers.get("x-bluegreen-color") ?? "?";
        if (out.res.status !== 200) {
          failures.push(`${out.res.status} from ${color}: ${await out.res.text()}`);
          continue;
        }
        const body = (await out.res.json()) as { model_version: string };
        if (body.model_version !== VERSION_OF[color]) failures.push(`${color} answered with ${body.model_version}`);
        served[color] = (served[color] ?? 0) + 1;
      }
    });
    await Promise.all([flipper, ...workers]);
    await Promise.all(background);

    console.log(`flip drill: ${sent} requests, ${FLIPS} flips, served ${JSON.stringify(served)}, failures ${failures.length}`);
    expect(failures).toEqual([]);
    expect(flipsDone).toBe(FLIPS);
    expect(sent).toBeGreaterThanOrEqual(MIN_REQUESTS);
    expect(served.blue).toBeGreaterThan(0);
    expect(served.green).toBeGreaterThan(0);
  });
});
