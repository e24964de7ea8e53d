/**
 * The router Worker (docs/architecture.md): the entry point wires one router per
 * isolate and exports the DeploymentController Durable Object.
 */
import { createRouter } from "./app.js";

export { DeploymentController } from "./controller/deployment-controller.js";

const router = createRouter();

export default {
  fetch: router.fetch,
  scheduled: router.scheduled,
} satisfies ExportedHandler<Env>;
