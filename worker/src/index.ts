/**
 * The router Worker (DESIGN.md §3–§5): the entry point wires one router per
 * isolate and exports the DeploymentController Durable Object.
 */
import { createRouter } from "./app.js";

export { DeploymentController } from "./controller/deployment-controller.js";

const router = createRouter();

export default {
  fetch: router.fetch,
  scheduled: router.scheduled,
} satisfies ExportedHandler<Env>;
