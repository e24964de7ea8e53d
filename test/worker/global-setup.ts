// Runs in Node before the workerd project: starts what the Worker under test
// talks to on loopback and hands their addresses to the Worker's bindings.
//   BLUE_ORIGINS / GREEN_ORIGINS  real model servers v1 / v2 (never faulted)
//   TEST_FAULTY_GREEN             a v2 model server with FAULT_CONTROL=1, only
//                                 for test/worker/failover.test.ts (PUT /fault)
//   TEST_FAILING_GREEN            a v2 model server answering 500 to 30% of
//                                 predictions from its start (FAULT_RATE=0.3)
//   TEST_RECORDER_A / _B          recorder origins (test/helpers/recorder-origin.ts)
//   TEST_ALERT_RECEIVER           a recorder origin taking the controller's alerts:
//                                 ALERT_WEBHOOK_URL is its /hooks/alerts (records
//                                 under test id "", one alert per record)
//   TEST_DEAD_ORIGIN              a loopback port where nothing listens
// Model servers require x-origin-token = the ORIGIN_TOKEN binding of vitest.config.ts.
import type { TestProject } from "vitest/node";
import { startModelServer, type ModelServerHandle } from "../helpers/model-server.js";
import { closedPortUrl, startRecorderOrigin, type RecorderOrigin } from "../helpers/recorder-origin.js";

declare module "vitest" {
  export interface ProvidedContext {
    workerBindings: Record<string, string>;
  }
}

const ORIGIN_TOKEN = "test-origin-token";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const servers: ModelServerHandle[] = [];
  const recorders: RecorderOrigin[] = [];
  const stopAll = async () => {
    await Promise.allSettled([...servers.map((s) => s.stop()), ...recorders.map((r) => r.stop())]);
  };
  try {
    const env = { ORIGIN_TOKEN };
    const started = await Promise.all([
      startModelServer({ version: "v1", env }),
      startModelServer({ version: "v2", env }),
      startModelServer({ version: "v2", env: { ...env, FAULT_CONTROL: "1" } }),
      startModelServer({ version: "v2", env: { ...env, FAULT_RATE: "0.3" } }),
    ]);
    servers.push(...started);
    recorders.push(await startRecorderOrigin("recorder-a"), await startRecorderOrigin("recorder-b"), await startRecorderOrigin("alert-receiver"));
    const [blue, green, faultyGreen, failingGreen] = started as [ModelServerHandle, ModelServerHandle, ModelServerHandle, ModelServerHandle];
    project.provide("workerBindings", {
      BLUE_ORIGINS: blue.url,
      GREEN_ORIGINS: green.url,
      TEST_FAULTY_GREEN: faultyGreen.url,
      TEST_FAILING_GREEN: failingGreen.url,
      TEST_RECORDER_A: recorders[0]!.url,
      TEST_RECORDER_B: recorders[1]!.url,
      TEST_ALERT_RECEIVER: recorders[2]!.url,
      ALERT_WEBHOOK_URL: `${recorders[2]!.url}/hooks/alerts`,
      TEST_DEAD_ORIGIN: await closedPortUrl(),
    });
  } catch (err) {
    await stopAll();
    throw err;
  }
  return stopAll;
}
