/**
 * An origin on loopback whose answers break the origin contract
 * (docs/architecture.md "Bring your own model server"), by path prefix, so
 * one server gives every case:
 *   `<url>/html`      GET /health 200 "OK" (text), POST /predict 200 HTML
 *   `<url>/nohealth`  every route 404 (`{"detail":"Not Found"}`, as FastAPI)
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface BrokenOrigin {
  /** e.g. "http://127.0.0.1:41234"; append `/html` or `/nohealth`. */
  url: string;
  stop(): Promise<void>;
}

/** Starts the broken origin on 127.0.0.1, port 0. */
export async function startBrokenOrigin(): Promise<BrokenOrigin> {
  const server = createServer((req, res) => {
    req.resume();
    if (req.url === "/html/health") res.writeHead(200, { "content-type": "text/plain" }).end("OK");
    else if (req.url === "/html/predict") res.writeHead(200, { "content-type": "text/html" }).end("<html><body>Welcome to nginx!</body></html>");
    else res.writeHead(404, { "content-type": "application/json" }).end('{"detail":"Not Found"}');
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      server.close();
      await once(server, "close").catch(() => undefined);
    },
  };
}
