/**
 * The admin API client. Every answer is parsed strictly with the contract's
 * schemas (contract/status.ts, history.ts): a shape the router does not send
 * — an unknown field, a missing one, another type — is an error naming the
 * field, not something to read around, so drift between the CLI and the
 * router shows at once. `colorView` and friends pull out what the CLI shows.
 * HTTP failures become typed CLI errors here.
 */
import { ShadowAnswer, type ShadowStartBody, type ShadowView } from "../../contract/shadow.js";
import { userInfo } from "node:os";
import * as z from "zod/mini";
import type { FlipBody, RollbackBody } from "../../contract/admin.js";
import type { Color } from "../../contract/colors.js";
import { ErrorBody } from "../../contract/errors.js";
import { CommandAnswer, HistoryAnswer, type HistoryEntry } from "../../contract/history.js";
import { AdminStatus } from "../../contract/status.js";
import { GateFailed, UsageError, Unreachable } from "./errors.js";
import { type Endpoint, type HttpAnswer, NetworkFailure, send } from "./http.js";

/** What the CLI shows for one colour. */
export interface ColorView {
  color: Color;
  active: boolean;
  origins: string[];
  health: string;
  version: string | null;
  requests: number;
  errorRate: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Seconds the numbers cover: the fast window, or fewer right after a flip (the controller cuts windows there). */
  windowSeconds: number;
}

/** One colour's view of a status answer: its fast window's numbers. */
export function colorView(status: AdminStatus, color: Color): ColorView {
  const cs = status.colors[color];
  const m = cs.metrics.fast;
  return {
    color,
    active: status.active === color,
    origins: cs.origins.map((o) => o.url),
    health: cs.health.status,
    version: cs.version,
    requests: m.requests,
    errorRate: m.errorRate,
    p50Ms: m.p50Ms,
    p99Ms: m.p99Ms,
    windowSeconds: m.toSecond >= m.fromSecond ? Math.min(m.toSecond - m.fromSecond + 1, m.seconds) : m.seconds,
  };
}

/** Seconds left in the bake (null when not baking). */
export function bakeSecondsLeft(status: AdminStatus, nowMs: number): number | null {
  if (status.phase !== "baking" || status.bake === null) return null;
  return Math.max(0, (Date.parse(status.bake.endsAt) - nowMs) / 1000);
}

/** Who acts, for the router's history: "<user> via bluegreen-cli" (x-bluegreen-actor). */
export function cliActor(): string {
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers): stay anonymous
  }
  return `${user.replace(/[^\w.@:+-]/g, "_").slice(0, 40)} via bluegreen-cli`;
}

/** What `flip` sends: the contract's flip body. */
export type FlipRequest = { [K in keyof FlipBody]: FlipBody[K] | undefined } & { to: Color };

/** What `rollback` sends: the contract's rollback body (a flip's guards: a compare-and-set on the epoch, and force past an unhealthy target). */
export type RollbackRequest = { [K in keyof RollbackBody]?: RollbackBody[K] | undefined };

/** Talks to the router's admin API with the bearer token. */
export class AdminClient {
  private readonly endpoint: Endpoint;

  constructor(
    readonly routerUrl: string,
    adminToken: string,
    private readonly timeoutMs = 10_000,
  ) {
    this.endpoint = {
      baseUrl: routerUrl,
      headers: { authorization: `Bearer ${adminToken}`, accept: "application/json", "x-bluegreen-actor": cliActor() },
    };
  }

  /** GET /admin/status. */
  async status(): Promise<AdminStatus> {
    return this.parse(await this.call("GET", "/admin/status"), AdminStatus, "/admin/status");
  }

  /** POST /admin/flip; answers the new state and the history row. */
  async flip(req: FlipRequest): Promise<CommandAnswer> {
    const body = Object.fromEntries(Object.entries(req).filter(([, v]) => v !== undefined));
    return this.parse(await this.call("POST", "/admin/flip", body), CommandAnswer, "/admin/flip");
  }

  /** POST /admin/rollback, with the same guards as a flip; answers the new state and the history row. */
  async rollback(req: RollbackRequest = {}): Promise<CommandAnswer> {
    const body = Object.fromEntries(Object.entries(req).filter(([, v]) => v !== undefined));
    return this.parse(await this.call("POST", "/admin/rollback", body), CommandAnswer, "/admin/rollback");
  }

  /** GET /admin/history?limit=, newest first. */
  async history(limit: number): Promise<HistoryEntry[]> {
    return this.parse(await this.call("GET", `/admin/history?limit=${limit}`), HistoryAnswer, "/admin/history").entries;
  }

  /** POST /admin/shadow: starts mirroring `sample` of the predictions to the standby for `seconds`. */
  async shadowStart(body: ShadowStartBody): Promise<ShadowView> {
    const answer = this.parse(await this.call("POST", "/admin/shadow", body), ShadowAnswer, "/admin/shadow");
    if (answer.shadow === null) throw new Error("POST /admin/shadow answered no shadowing");
    return answer.shadow;
  }

  /** DELETE /admin/shadow: stops mirroring; answers the last shadowing (null: never one). */
  async shadowStop(): Promise<ShadowView | null> {
    return this.parse(await this.call("DELETE", "/admin/shadow"), ShadowAnswer, "/admin/shadow").shadow;
  }

  /** GET /admin/shadow: the last shadowing judged now (null: never one). */
  async shadow(): Promise<ShadowView | null> {
    return this.parse(await this.call("GET", "/admin/shadow"), ShadowAnswer, "/admin/shadow").shadow;
  }

  private async call(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<HttpAnswer> {
    let answer: HttpAnswer;
    try {
      answer = await send(this.endpoint, path, { method, timeoutMs: this.timeoutMs, ...(body !== undefined ? { body } : {}) });
    } catch (err) {
      if (!(err instanceof NetworkFailure)) throw err;
      throw new Unreachable(`Cannot reach the router at ${this.routerUrl}.`, {
        reason: `${method} ${path}: ${err.what}`,
        hint: "start the local stack (npm start), or set ROUTER_URL (or --router-url) to where the router runs",
      });
    }
    if (answer.status >= 200 && answer.status < 300) return answer;
    throw this.httpError(method, path, answer);
  }

  private httpError(method: string, path: string, answer: HttpAnswer): Error {
    const parsed = ErrorBody.safeParse(answer.json);
    const msg = parsed.success ? parsed.data.error.message : answer.text.slice(0, 200) || "(empty body)";
    const details = parsed.success ? parsed.data.error.details : undefined;
    const what = `${method} ${path} answered ${answer.status}`;
    const s = answer.status;
    if (s === 401 || s === 403) {
      return new UsageError(`The router refused the admin token (${s}).`, {
        reason: `${what}: ${msg}`,
        hint: "set ADMIN_TOKEN (or --admin-token) to the router's admin token (.dev.vars locally; `wrangler secret put ADMIN_TOKEN` when deployed)",
      });
    }
    if (s === 409) {
      return new GateFailed("conflict", `The router refused: ${msg}.`, {
        reason: `${what} (conflict)`,
        hint: "run `bluegreen status` to see the current epoch and phase, then retry",
        details,
      });
    }
    if (s === 404 || s === 405) {
      return new UsageError(`The router has no ${method} ${path}.`, {
        reason: `${what}: ${msg}`,
        hint: "check that ROUTER_URL points at the bluegreen router",
      });
    }
    if (s >= 400 && s < 500) {
      return new UsageError(`The router rejected the request: ${msg}.`, { reason: what, details, hint: "check the command's arguments" });
    }
    return new Unreachable(`The router failed to answer ${method} ${path} (${s}).`, {
      reason: msg,
      hint: "check the router's logs (wrangler tail, or the npm start output) and retry",
    });
  }

  private parse<T>(answer: HttpAnswer, schema: z.ZodMiniType<T>, path: string): T {
    const parsed = schema.safeParse(answer.json);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new Unreachable(`The router's answer to ${path} is not what the CLI understands.`, {
      reason: `${issue?.path.map(String).join(".") || "body"}: ${issue?.message}`,
      hint: "check that ROUTER_URL points at the bluegreen router and that the CLI and the router are the same version",
    });
  }
}
