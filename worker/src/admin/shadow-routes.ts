/**
 * The shadow routes of the admin API (docs/architecture.md "Admin API"):
 * POST /admin/shadow starts mirroring a sample of the predictions to the
 * standby, DELETE /admin/shadow stops it, GET /admin/shadow shows the last
 * shadowing judged by the shadow gate (also the `shadow` block of
 * /admin/status). The controller's answer is kept in this isolate's routing
 * cache, so the next request here already mirrors (or stops).
 */
import type { Context, Hono } from "hono";
import { Actor } from "../../../contract/admin.js";
import { readBodyWithLimit } from "../../../contract/body-limit.js";
import { decodeJson, parseWith, requireJsonContentType } from "../../../contract/json-body.js";
import { shadowEnvProblems, ShadowStartBody, type ShadowAnswer } from "../../../contract/shadow.js";
import type { AppEnv } from "../app-env.js";
import { controllerStub } from "../controller-link.js";
import { HttpError } from "../errors.js";
import { callController as call, misconfigured, policyIssues } from "./controller-call.js";

const MAX_SHADOW_BODY_BYTES = 16 * 1024;

async function startBody(c: Context<AppEnv>): Promise<unknown> {
  requireJsonContentType(c.req.raw);
  return decodeJson(await readBodyWithLimit(c.req.raw, MAX_SHADOW_BODY_BYTES));
}

/** Adds GET, POST and DELETE /shadow to the /admin sub-app (behind its auth). */
export function shadowRoutes(admin: Hono<AppEnv>): void {
  admin.get("/shadow", async (c) => {
    const config = c.get("config");
    const answer: ShadowAnswer = { shadow: await call("shadow", () => controllerStub(c.env, config.deployment).shadow()) };
    return c.json(answer);
  });

  admin.post("/shadow", async (c) => {
    const config = c.get("config");
    const actor = parseWith(Actor, c.req.header("x-bluegreen-actor"), "invalid actor");
    const body = parseWith(ShadowStartBody, await startBody(c), "invalid shadow body");
    // A gate that cannot read its thresholds would judge on defaults nobody chose: refuse to start, as a flip does.
    const shadowIssues = shadowEnvProblems(c.env)?.issues ?? [];
    const issues = [...policyIssues(c.env), ...shadowIssues];
    if (issues.length > 0) throw misconfigured(issues);
    const result = await call("startShadow", () => controllerStub(c.env, config.deployment).startShadow({ ...body, actor }));
    c.get("isolate").link(config.deployment).accept(result.state);
    const answer: ShadowAnswer = { shadow: result.shadow };
    return c.json(answer);
  });

  admin.delete("/shadow", async (c) => {
    const config = c.get("config");
    const actor = parseWith(Actor, c.req.header("x-bluegreen-actor"), "invalid actor");
    const result = await call("stopShadow", () => controllerStub(c.env, config.deployment).stopShadow(actor));
    c.get("isolate").link(config.deployment).accept(result.state);
    const answer: ShadowAnswer = { shadow: result.shadow };
    return c.json(answer);
  });

  admin.all("/shadow", () => {
    throw new HttpError("method_not_allowed", "use GET, POST or DELETE /admin/shadow", undefined, { allow: "GET, POST, DELETE" });
  });
}
