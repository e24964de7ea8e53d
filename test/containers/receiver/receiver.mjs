// Alert webhook receiver for npm run test:containers: a compose service on
// the test's own network (the router posts alerts to
// http://receiver:9000/hooks/…), published on 127.0.0.1 so the test can read
// what it got. Plain Node, no dependencies: it runs in the bare base image.
//   POST /hooks/<name>  records { path, body, at } (bounded), answers 200
//   GET  /received      → {"requests": [...]}, oldest first
//   GET  /health        → 200
import { createServer } from "node:http";

const PORT = Number(process.env.PORT ?? 9000);
const MAX_RECORDS = 1_000;
const MAX_BODY_BYTES = 64 * 1024;
const records = [];

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://receiver");
  const answer = (status, body) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  if (req.method === "GET" && url.pathname === "/health") return answer(200, { ok: true });
  if (req.method === "GET" && url.pathname === "/received") return answer(200, { requests: records });
  if (req.method !== "POST" || !url.pathname.startsWith("/hooks/")) {
    return answer(404, { error: { code: "not_found", message: "POST /hooks/<name>, GET /received or GET /health" } });
  }
  const chunks = [];
  let size = 0;
  req.on("data", (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on("end", () => {
    if (size > MAX_BODY_BYTES) return answer(413, { error: { code: "too_large", message: `body over ${MAX_BODY_BYTES} bytes` } });
    records.push({ path: url.pathname, body: Buffer.concat(chunks).toString("utf8"), at: new Date().toISOString() });
    if (records.length > MAX_RECORDS) records.shift();
    answer(200, { ok: true });
  });
});

server.listen(PORT, "0.0.0.0", () => console.log(JSON.stringify({ event: "listening", port: PORT })));
// docker stop: close at once (nothing to drain that matters to a test receiver).
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
