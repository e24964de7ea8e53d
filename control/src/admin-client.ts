/**
 * The admin API client (DESIGN.md §5) and the one place that knows the shape
 * of its answers. Schemas are lenient (unknown fields pass through) so the
 * router can add fields without breaking the CLI; `colorView` and friends
 * pull out what the CLI shows. HTTP failures become typed CLI errors here.
 */
import { userInfo } from "node:os";
import { z } from "zod";
import { ErrorBody } from "../../contract/errors.js";
import { GateFailed, UsageError, Unreachable } from "./errors.js";
import { type Endpoint, type HttpAnswer, NetworkFailure, send } from "./http.js";

export const COLORS = ["blue", "green"] as const;
export const Color = z.enum(COLORS);
export type Color = z.infer<typeof Color>;

/** The other colour. */
export function otherColor(c: Color): Color {
  return c === "blue" ? "green" : "blue";
}

const num = z.number().nullish();

const WindowMetrics = z.looseObject({
  requests: z.number(),
  /** Seconds the window covers. */
  seconds: num,
  /** First and last second counted: fewer than `seconds` right after a flip (the controller cuts windows there). */
  fromSecond: num,
  toSecond: num,
  /** A count, or counts by class ({http5xx, timeout, connect}). */
  errors: z.unknown().optional(),
  errorRate: num,
  p50Ms: num,
  p99Ms: num,
});

const ColorStatus = z.looseObject({
  origins: z.array(z.union([z.string(), z.looseObject({ url: z.string() })])).optional(),
  health: z.union([z.string(), z.looseObject({ status: z.string().optional() })]).nullish(),
  version: z.string().nullish(),
  /** Window metrics: {fast, slow} windows, or one window; parsed by `pickWindow`. */
  windows: z.unknown().optional(),
  metrics: z.unknown().optional(),
});
type ColorStatus = z.infer<typeof ColorStatus>;
type WindowMetrics = z.infer<typeof WindowMetrics>;

/** The fast window when there is one, else whatever single window the status carries. */
function pickWindow(cs: ColorStatus | undefined): WindowMetrics | undefined {
  const sub = (v: unknown, k: string) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined);
  for (const candidate of [sub(cs?.windows, "fast"), sub(cs?.metrics, "fast"), cs?.metrics, cs?.windows, sub(cs?.metrics, "slow")]) {
    const parsed = WindowMetrics.safeParse(candidate);
    if (parsed.success) return parsed.data;
  }
  return undefined;
}

const FlipRecord = z.looseObject({
  at: z.union([z.string(), z.number()]).optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  epoch: z.number().optional(),
  kind: z.string().optional(),
  action: z.string().optional(),
  reason: z.string().nullish(),
  actor: z.string().nullish(),
});
export type FlipRecord = z.infer<typeof FlipRecord>;

export const StatusSchema = z.looseObject({
  active: Color,
  standby: Color.optional(),
  epoch: z.number(),
  phase: z.string(),
  reason: z.string().nullish(),
  updatedAt: z.union([z.string(), z.number()]).nullish(),
  colors: z.looseObject({ blue: ColorStatus.optional(), green: ColorStatus.optional() }).optional(),
  blue: ColorStatus.optional(),
  green: ColorStatus.optional(),
  policy: z.looseObject({ bakeSeconds: z.number().optional() }).optional(),
  lastFlip: FlipRecord.nullish(),
  bake: z.looseObject({ endsAt: z.union([z.string(), z.number()]).nullish(), remainingSeconds: num }).nullish(),
  /** The controller's latest verdict on the active colour. */
  verdict: z.looseObject({ verdict: z.string(), action: z.string().optional(), reason: z.string().nullish() }).nullish(),
  /** Whether the controller may still roll back on its own (once per deployment, until the next manual flip). */
  autoRollbackArmed: z.boolean().optional(),
});
export type Status = z.infer<typeof StatusSchema>;

const HistorySchema = z.union([
  z.array(FlipRecord),
  z.looseObject({ history: z.array(FlipRecord) }).transform((h) => h.history),
  z.looseObject({ entries: z.array(FlipRecord) }).transform((h) => h.entries),
]);

/** What the CLI shows for one colour, whatever the status JSON nests. */
export interface ColorView {
  color: Color;
  active: boolean;
  origins: string[];
  health: string;
  version: string | null;
  requests: number | null;
  errorRate: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Seconds the numbers cover, when the status says. */
  windowSeconds: number | null;
}

/** Extracts one colour's view from a status answer. */
export function colorView(status: Status, color: Color): ColorView {
  const cs = status.colors?.[color] ?? status[color];
  const m = pickWindow(cs);
  const health = typeof cs?.health === "string" ? cs.health : (cs?.health?.status ?? "unknown");
  const errorRate = m?.errorRate ?? (m?.requests ? errorCount(m.errors) / m.requests : null);
  return {
    color,
    active: status.active === color,
    origins: (cs?.origins ?? []).map((o) => (typeof o === "string" ? o : o.url)),
    health,
    version: cs?.version ?? null,
    requests: m?.requests ?? null,
    errorRate: errorRate ?? null,
    p50Ms: m?.p50Ms ?? null,
    p99Ms: m?.p99Ms ?? null,
    windowSeconds: countedSeconds(m),
  };
}

/** Seconds a window actually counted (from/to when the status gives them), else its nominal length. */
function countedSeconds(m: WindowMetrics | undefined): number | null {
  if (typeof m?.fromSecond === "number" && typeof m.toSecond === "number" && m.toSecond >= m.fromSecond) {
    return Math.min(m.toSecond - m.fromSecond + 1, m.seconds ?? Number.POSITIVE_INFINITY);
  }
  return m?.seconds ?? null;
}

function errorCount(errors: unknown): number {
  if (typeof errors === "number") return errors;
  if (errors && typeof errors === "object") {
    const e = errors as Record<string, unknown>;
    if (typeof e.total === "number") return e.total;
    return Object.values(e).reduce<number>((n, v) => n + (typeof v === "number" ? v : 0), 0);
  }
  return 0;
}

/** Seconds left in the bake, when the status says (null otherwise). */
export function bakeSecondsLeft(status: Status, nowMs: number): number | null {
  if (status.phase !== "baking") return null;
  if (typeof status.bake?.remainingSeconds === "number") return status.bake.remainingSeconds;
  const ends = status.bake?.endsAt;
  if (ends !== null && ends !== undefined) return Math.max(0, (new Date(ends).getTime() - nowMs) / 1000);
  const bakeSeconds = status.policy?.bakeSeconds;
  const started = status.lastFlip?.at ?? status.updatedAt;
  if (bakeSeconds === undefined || started === null || started === undefined) return null;
  return Math.max(0, bakeSeconds - (nowMs - new Date(started).getTime()) / 1000);
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

export interface FlipRequest {
  to: Color;
  reason?: string | undefined;
  expectedEpoch?: number | undefined;
  force?: boolean | undefined;
}

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
  async status(): Promise<Status> {
    return this.parse(await this.call("GET", "/admin/status"), StatusSchema, "/admin/status");
  }

  /** POST /admin/flip; answers the new status (or whatever the router returns, leniently). */
  async flip(req: FlipRequest): Promise<Record<string, unknown>> {
    const body = Object.fromEntries(Object.entries(req).filter(([, v]) => v !== undefined));
    return this.parse(await this.call("POST", "/admin/flip", body), z.looseObject({}), "/admin/flip");
  }

  /** POST /admin/rollback. */
  async rollback(reason?: string): Promise<Record<string, unknown>> {
    const body = reason ? { reason } : {};
    return this.parse(await this.call("POST", "/admin/rollback", body), z.looseObject({}), "/admin/rollback");
  }

  /** GET /admin/history?limit=, newest first. */
  async history(limit: number): Promise<FlipRecord[]> {
    return this.parse(await this.call("GET", `/admin/history?limit=${limit}`), HistorySchema, "/admin/history");
  }

  private async call(method: "GET" | "POST", path: string, body?: unknown): Promise<HttpAnswer> {
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

  private parse<T>(answer: HttpAnswer, schema: z.ZodType<T>, path: string): T {
    const parsed = schema.safeParse(answer.json);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new Unreachable(`The router's answer to ${path} is not what the CLI understands.`, {
      reason: `${issue?.path.join(".") || "body"}: ${issue?.message}`,
      hint: "check that ROUTER_URL points at the bluegreen router and that the CLI and the router are the same version",
    });
  }
}
