import { DurableObject } from "cloudflare:workers";
import { Hono } from "hono";

/** Placeholder controller; the routing authority arrives with the router issue. */
export class DeploymentController extends DurableObject<Env> {}

const app = new Hono<{ Bindings: Env }>();
app.get("/__bluegreen/ping", (c) => c.json({ ok: true }));

export default {
  fetch: app.fetch,
  async scheduled() {},
} satisfies ExportedHandler<Env>;
