/**
 * Load for the bench: autocannon for a fixed time at a fixed number of
 * connections against POST /predict (every answer's latency kept, so p50/p99
 * are exact), and a one-connection sequential probe for the latency a proxy
 * adds when nothing queues.
 */
import { Agent, request } from "node:http";
import autocannon from "autocannon";
import { percentile, summarizeLoad, type LoadStats } from "../src/validate/load.js";

/** A few realistic texts, sent in turn (the same as bench:model's). */
export const TEXTS = [
  "This product is absolutely wonderful, I love it and would buy it again.",
  "Terrible experience. The package arrived broken and support never answered.",
  "It works, I guess. Nothing special, but not bad either.",
  "I am not happy with the battery life, it barely lasts a day.",
  "Fast shipping, great price, and the quality is better than I expected!",
  "The manual is confusing and the setup took hours. Never again.",
  "Decent value for the money.",
  "Not bad at all, honestly one of the better ones I have tried.",
];

/** Where to send predictions, and the headers every request carries. */
export interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
}

/** autocannon for `durationS` seconds at `connections`; exact latencies from every answer. */
export function runFor(target: Target, durationS: number, connections: number): Promise<LoadStats> {
  const headers = { ...target.headers, "content-type": "application/json" };
  const requests = TEXTS.map((text) => ({ method: "POST" as const, path: "/predict", headers, body: JSON.stringify({ text }) }));
  const latenciesMs: number[] = [];
  const statusCounts: Record<string, number> = {};
  let networkErrors = 0;
  let timeouts = 0;
  const started = performance.now();
  let lastAt = started;
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url: target.url, duration: durationS, connections, requests, timeout: 10 }, (err) => {
      if (err) return reject(err);
      resolve(summarizeLoad({ latenciesMs, statusCounts, networkErrors, timeouts, durationMs: lastAt - started, cutShort: false }));
    });
    instance.on("response", (_c, statusCode, _b, responseTime) => {
      lastAt = performance.now();
      latenciesMs.push(responseTime);
      statusCounts[String(statusCode)] = (statusCounts[String(statusCode)] ?? 0) + 1;
    });
    instance.on("reqError", (err: Error) => {
      lastAt = performance.now();
      networkErrors++;
      if (/timed out/i.test(err?.message ?? "")) timeouts++;
    });
  });
}

/** Latency of `count` sequential requests on one keep-alive connection. */
export interface SequentialStats {
  count: number;
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

/** Sends `count` predictions one after the other on one kept-alive connection. */
export async function sequential(target: Target, count: number): Promise<SequentialStats> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL("/predict", target.url);
  const latencies: number[] = [];
  let errors = 0;
  try {
    for (let i = 0; i < count; i++) {
      const body = JSON.stringify({ text: TEXTS[i % TEXTS.length] });
      const started = performance.now();
      const status = await new Promise<number>((resolve) => {
        const req = request(
          url,
          { method: "POST", agent, headers: { ...target.headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        req.on("error", () => resolve(0));
        req.end(body);
      });
      latencies.push(performance.now() - started);
      if (status < 200 || status > 299) errors++;
    }
  } finally {
    agent.destroy();
  }
  latencies.sort((a, b) => a - b);
  return { count, errors, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}
