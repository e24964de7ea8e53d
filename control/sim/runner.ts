/**
 * Runs the simulation's independent runs on worker threads, `jobs` at a time
 * (2 by default: this machine's cores), largest first so the long ones start
 * early — when running as the bundle launch.ts builds; from the TypeScript
 * source, one at a time. Each run is seeded on its own, so the results do not depend on the
 * threads; they come back in the order asked. The worker side is
 * `runInWorker`, which main.ts calls when it starts as a worker thread.
 */
import { Worker, parentPort, workerData } from "node:worker_threads";
import type { SimParams } from "./model.js";
import { runScenario, type ProtocolName, type RunResult } from "./scenario.js";

export interface Job {
  protocol: ProtocolName;
  params: SimParams;
}

/** Runs every job, at most `jobs` at once; `onDone` hears each as it ends. */
export async function runAll(all: readonly Job[], jobs: number, onDone: (job: Job, result: RunResult) => void): Promise<RunResult[]> {
  const results = new Array<RunResult>(all.length);
  const order = all.map((job, i) => ({ job, i })).sort((a, b) => b.job.params.isolates - a.job.params.isolates || a.i - b.i);
  // Worker threads run the script running now: the bundle launch.ts made. Run straight from the
  // TypeScript source (tsx), the runs stay on this thread: a worker thread would not have tsx's loader.
  const script = process.argv[1] ?? "";
  const threads = script.endsWith(".ts") ? 1 : jobs;
  const run = (job: Job): Promise<RunResult> => {
    if (threads <= 1) return Promise.resolve(runScenario(job.protocol, job.params));
    const worker = new Worker(script, { workerData: job });
    return new Promise((resolve, reject) => {
      worker.once("message", (result: RunResult) => resolve(result));
      worker.once("error", reject);
      worker.once("exit", (code) => code !== 0 && reject(new Error(`simulation worker exited with ${code}`)));
    });
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(threads, all.length)) }, async () => {
      while (next < order.length) {
        const { job, i } = order[next++]!;
        results[i] = await run(job);
        onDone(job, results[i]);
      }
    }),
  );
  return results;
}

/** The worker thread's side: runs the job it was given and posts the result. */
export function runInWorker(): void {
  const job = workerData as Job;
  parentPort!.postMessage(runScenario(job.protocol, job.params));
}
