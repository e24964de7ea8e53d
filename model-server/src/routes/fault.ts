/**
 * `GET /fault` and `PUT /fault {"rate"?, "latencyMs"?}`: read and change the
 * injected faults at run time. Mounted only with FAULT_CONTROL=1, behind the
 * origin token when one is set.
 */
import { Hono } from "hono";
import { FaultUpdate, type Faults } from "../faults.js";
import { readJsonBody } from "../../../contract/json-body.js";
import type { Logger } from "../logger.js";

const MAX_FAULT_BODY_BYTES = 1024;

/** The fault-control routes, mounted at the app root. */
export function faultRoutes(faults: Faults, logger: Logger): Hono {
  const app = new Hono();

  app.get("/fault", (c) => c.json(faults.settings));

  app.put("/fault", async (c) => {
    const update = await readJsonBody(c.req.raw, FaultUpdate, MAX_FAULT_BODY_BYTES, { keepRest: true });
    const settings = faults.update(update);
    logger.warn("faults_changed", { ...settings });
    return c.json(settings);
  });

  return app;
}
