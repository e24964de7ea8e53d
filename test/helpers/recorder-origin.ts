/**
 * A plain HTTP origin on loopback for the router tests (Node side, started by
 * test/worker/global-setup.ts). It records every request it receives so a
 * test can assert what reached the origin (headers, bodies — or nothing at
 * all), and can be told per request to misbehave:
 *   `x-test-status: 503`   answer that status
 *   `x-test-delay-ms: 800` wait that long before answering
 *   a path under `/__delay/800/` waits that long too (for senders that set no
 *   headers, e.g. a health probe of the origin URL `<recorder>/__delay/800`)
 *   `x-test-answer: <base64>` answer exactly these bytes (a success status)
 *   `x-test-stream: 1`     send the answer in two chunks without a
 *                          Content-Length (chunked), as a streaming server would
 * Records are grouped by the `x-test-id` request header, so test files that
 * run at the same time do not see each other's traffic:
 *   GET /__recorded?testId=ID   → {"requests": [...]}
 * A sender that sets no headers (the controller's alert webhook) can be made
 * to fail by what its body says instead:
 *   PUT /__fail {"match":"deployment-7","times":2,"status":503}
 *   → the next 2 requests whose body contains "deployment-7" answer 503
 *   (each record has the `status` it was answered with).
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  origin: string;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The status the recorder answered. */
  status: number;
}

interface FailRule {
  match: string;
  times: number;
  status: number;
}

export interface RecorderOrigin {
  name: string;
  url: string;
  stop(): Promise<void>;
}

const RECORDS_PER_TEST_MAX = 5_000;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Starts a recorder origin named `name` on 127.0.0.1, port 0. */
export async function startRecorderOrigin(name: string): Promise<RecorderOrigin> {
  const records = new Map<string, RecordedRequest[]>();
  const failRules: FailRule[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://origin");
      if (req.method === "GET" && url.pathname === "/__recorded") {
        const list = records.get(url.searchParams.get("testId") ?? "") ?? [];
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ requests: list }));
        return;
      }
      if (req.method === "PUT" && url.pathname === "/__fail") {
        const rule = JSON.parse(await readBody(req)) as FailRule;
        failRules.push({ match: String(rule.match), times: Math.min(Number(rule.times), 100), status: Number(rule.status) });
        res.writeHead(204).end();
        return;
      }
      const body = await readBody(req);
      const rule = failRules.find((r) => r.times > 0 && r.match !== "" && body.includes(r.match));
      if (rule) rule.times -= 1;
      const status = rule?.status ?? Number(req.headers["x-test-status"] ?? 200);
      const testId = String(req.headers["x-test-id"] ?? "");
      const list = records.get(testId) ?? [];
      if (list.length < RECORDS_PER_TEST_MAX) {
        list.push({ origin: name, method: req.method ?? "", path: url.pathname + url.search, headers: req.headers, body, status });
      }
      records.set(testId, list);
      const delayMs = Number(req.headers["x-test-delay-ms"] ?? /^\/__delay\/(\d+)\//.exec(url.pathname)?.[1] ?? 0);
      if (delayMs > 0) await new Promise((r) => setTimeout(r, Math.min(delayMs, 10_000)));
      const scripted = req.headers["x-test-answer"];
      if (typeof scripted === "string" && status < 400) {
        const bytes = Buffer.from(scripted, "base64");
        const streamed = req.headers["x-test-stream"] === "1";
        res.writeHead(status, { "content-type": "application/json", "x-origin-name": name, ...(streamed ? {} : { "content-length": bytes.length }) });
        if (streamed) {
          const half = Math.floor(bytes.length / 2);
          res.write(bytes.subarray(0, half));
          await new Promise((r) => setTimeout(r, 20));
        }
        if (!res.destroyed) res.end(streamed ? bytes.subarray(Math.floor(bytes.length / 2)) : bytes);
        return;
      }
      res.writeHead(status, {
        "content-type": "application/json",
        "x-origin-name": name,
        // Hop-by-hop headers the router must not pass on.
        "keep-alive": "timeout=5",
        "x-extra": "kept",
      });
      const answer =
        status >= 400
          ? { error: { code: status >= 500 ? "internal" : "invalid_request", message: `${name} answered ${status}` } }
          : url.pathname === "/predict"
            ? { prediction: "neutral", confidence: 0.5, model_version: name }
            : { origin: name, path: url.pathname };
      if (!res.destroyed) res.end(JSON.stringify(answer));
    })().catch((err: unknown) => {
      res.destroy(err instanceof Error ? err : new Error(String(err)));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections();
      server.close();
      await once(server, "close").catch(() => undefined);
    },
  };
}

/** An address on loopback where nothing listens: a port bound, then released. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, "close");
  return `http://127.0.0.1:${port}`;
}
