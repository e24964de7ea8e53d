/**
 * The router Worker (docs/architecture.md): the entry point wires one router per
 * isolate and exports its Durable Objects, the DeploymentController and the
 * TelemetryRelay (docs/scale.md).
 */
import { createRouter } from "./app.js";

export { DeploymentController } from "./controller/deployment-controller.js";
export { TelemetryRelay } from "./relay/relay-object.js";

const router = createRouter();

export default {
  fetch: router.fetch,
  scheduled: router.scheduled,
} satisfies ExportedHandler<Env>;
