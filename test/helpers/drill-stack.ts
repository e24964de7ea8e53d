/**
 * The stack the end-to-end drills share (test/e2e): blue = model server v1
 * and green = v2 with FAULT_CONTROL=1, both on loopback with the file's
 * origin token, started once per file; and one router at a time in front
 * of them, stopped after each test, when green's faults are cleared too.
 * Call drillStack() at a test file's top level: it registers its own hooks
 * (a file adds its own beforeAll for anything else it needs, e.g. an alert
 * receiver).
 */
import { afterAll, afterEach, beforeAll } from "vitest";
import { setFault } from "./drill.js";
import { type ModelServerHandle, startModelServer } from "./model-server.js";
import { type RouterHandle, startRouter } from "./router.js";

export interface DrillStack {
  readonly originToken: string;
  readonly blue: ModelServerHandle;
  readonly green: ModelServerHandle;
  /**
   * Starts this test's router with the origin token and `vars`, in front of
   * blue and green or the origins given; it is stopped after the test.
   */
  newRouter(opts?: { vars?: Record<string, string>; blueUrl?: string; greenUrl?: string }): Promise<RouterHandle>;
}

export function drillStack(originToken: string): DrillStack {
  let blue: ModelServerHandle | undefined;
  let green: ModelServerHandle | undefined;
  let router: RouterHandle | undefined;
  const started = (server: ModelServerHandle | undefined, name: string): ModelServerHandle => {
    if (server === undefined) throw new Error(`drillStack: ${name} is used before the file's beforeAll started it`);
    return server;
  };

  beforeAll(async () => {
    [blue, green] = await Promise.all([
      startModelServer({ version: "v1", env: { ORIGIN_TOKEN: originToken } }),
      startModelServer({ version: "v2", env: { ORIGIN_TOKEN: originToken, FAULT_CONTROL: "1" } }),
    ]);
  }, 60_000);

  afterEach(async () => {
    await router?.stop();
    router = undefined;
    if (green !== undefined) await setFault(green.url, originToken, { rate: 0, latencyMs: 0, silentRate: 0 });
  });

  afterAll(async () => {
    await Promise.all([blue?.stop(), green?.stop()]);
  });

  return {
    originToken,
    get blue() {
      return started(blue, "blue");
    },
    get green() {
      return started(green, "green");
    },
    async newRouter(opts = {}) {
      if (router !== undefined) throw new Error("drillStack: one router per test");
      router = await startRouter({
        blueOrigins: [opts.blueUrl ?? started(blue, "blue").url],
        greenOrigins: [opts.greenUrl ?? started(green, "green").url],
        originToken,
        vars: opts.vars ?? {},
      });
      return router;
    },
  };
}
