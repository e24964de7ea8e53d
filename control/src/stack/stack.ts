/**
 * The local stack's life cycle (docs/architecture.md "Local stack and
 * deployment"): state dir and tokens, port checks, blue and green model
 * servers, the router in local workerd with KV and the Durable Object
 * persisted in the state dir; stopped together — the router first, then the
 * model servers (SIGTERM: they drain). The router's vars are checked with the
 * Worker's own parsers before anything starts. A part that dies on its own (a
 * model server, or workerd) is reported through `onDied`.
 */
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { COLORS, type Color } from "../../../contract/colors.js";
import { AdminStatus } from "../../../contract/status.js";
import { ms } from "../output/format.js";
import type { Printer } from "../output/printer.js";
import { type DevVarsResult, ensureDevVars } from "./dev-vars.js";
import { startLocalRouter, type LocalRouter } from "./local-router.js";
import { type ModelServerProcess, spawnModelServer, waitReady } from "./model-server-process.js";
import type { StackOptions } from "./options.js";
import { assertPortsFree, type PortClaim, portError, probePort } from "./ports.js";
import { assertRouterVars } from "./router-vars.js";

const READY_TIMEOUT_MS = 30_000;
const STATUS_TIMEOUT_MS = 5_000;

/** Thrown by start() when a stop was asked for while starting. */
export class StartAborted extends Error {
  override readonly name = "StartAborted";
}

/** A part that failed to start: which part, and why. */
export class PartFailed extends Error {
  override readonly name = "PartFailed";
  constructor(
    readonly part: string,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** What the banner needs once the stack is up. */
export interface StackUp {
  routerUrl: string;
  colors: Array<{ color: Color; url: string; version: string }> | null;
  tokens: DevVarsResult;
  routing: Pick<AdminStatus, "active" | "epoch" | "phase"> | null;
}

/** The URL a client on this machine uses for a listen address. */
function clientUrl(host: string, port: number): string {
  const h = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `http://${h.includes(":") ? `[${h}]` : h}:${port}`;
}

/** One stack: start() once, stop() once (safe to call while starting). */
export class Stack {
  readonly #o: StackOptions;
  readonly #out: Printer;
  readonly #cwd: string;
  readonly #servers: ModelServerProcess[] = [];
  #router: LocalRouter | null = null;
  #stopping = false;
  /** Set once start() has finished; before that, a dying part fails start() itself. */
  #up = false;
  #stopped: Promise<void> | null = null;
  /** Set when workerd ended while the stack was starting. */
  #routerDied = false;
  /** Called once when a part exits that nobody asked to stop: its name and how it ended ("SIGKILL", "exit code 1"). */
  onDied: (part: string, how: string) => void = () => {};

  constructor(options: StackOptions, out: Printer, cwd: string) {
    this.#o = options;
    this.#out = out;
    this.#cwd = cwd;
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  /** The pids of the model servers this stack started (for kill-on-exit). */
  pids(): number[] {
    return this.#servers.map((s) => s.proc.pid).filter((p): p is number => p !== undefined);
  }

  /** Brings every part up, one step line each; throws UsageError, PartFailed or StartAborted. */
  async start(): Promise<StackUp> {
    const o = this.#o;
    const stateDir = path.resolve(this.#cwd, o.stateDir);
    const devVarsFile = path.resolve(this.#cwd, o.devVars);
    const shown = (p: string) => path.relative(this.#cwd, p) || ".";

    const claims: PortClaim[] = o.routerOnly
      ? []
      : [
          { port: o.bluePort, host: "127.0.0.1", part: "blue model server", flag: "--blue-port" },
          { port: o.greenPort, host: "127.0.0.1", part: "green model server", flag: "--green-port" },
        ];
    claims.push({ port: o.routerPort, host: o.routerHost, part: "router", flag: "--router-port" });
    const origins: Record<Color, string[]> = o.routerOnly
      ? { blue: o.blueOrigins!, green: o.greenOrigins! }
      : { blue: [clientUrl("127.0.0.1", o.bluePort)], green: [clientUrl("127.0.0.1", o.greenPort)] };
    // First, so a start that cannot work leaves nothing behind (no state dir, no .dev.vars).
    assertRouterVars(origins, o.vars);
    await assertPortsFree(claims);
    this.#out.step("ok", "ports", `${claims.map((c) => `${c.port} (${c.part.replace(" model server", "")})`).join(", ")} free`);
    if (o.reset) {
      rmSync(stateDir, { recursive: true, force: true });
      this.#out.step("ok", "state", `wiped ${shown(stateDir)} (--reset): a new deployment, blue active`);
    }
    mkdirSync(stateDir, { recursive: true });
    if (!o.reset) this.#out.step("info", "state", `${shown(stateDir)}: routing state and history kept across restarts (--reset wipes them)`);

    const tokens = ensureDevVars(devVarsFile, process.env);
    this.#out.addSecrets(Object.values(tokens.tokens));
    if (tokens.madePrivateFrom !== null) {
      const mode = tokens.madePrivateFrom.toString(8).padStart(4, "0");
      this.#out.step("warn", "tokens", `${shown(devVarsFile)} was mode ${mode}, readable by others: made it 0600, as it holds tokens`);
    }
    this.#out.step(tokens.created || tokens.added.length > 0 ? "ok" : "info", "tokens", describeTokens(tokens, shown(devVarsFile)));

    // The webhook URL is its own token: from the environment (compose passes it), never printed.
    const alertWebhookUrl = process.env.ALERT_WEBHOOK_URL?.trim() || undefined;
    if (alertWebhookUrl !== undefined) {
      this.#out.addSecrets([alertWebhookUrl]);
      const overridden = o.vars.ALERT_WEBHOOK_URL !== undefined ? " (--var ALERT_WEBHOOK_URL wins over it)" : "";
      this.#out.step("info", "alerts", `ALERT_WEBHOOK_URL from the environment: the controller posts its alerts there${overridden}`);
    }

    this.#check();

    let colors: StackUp["colors"] = null;
    if (!o.routerOnly) colors = await this.#startModelServers(tokens.tokens.ORIGIN_TOKEN);

    const started = performance.now();
    try {
      this.#router = await startLocalRouter({
        blueOrigins: origins.blue,
        greenOrigins: origins.green,
        adminToken: tokens.tokens.ADMIN_TOKEN,
        originToken: tokens.tokens.ORIGIN_TOKEN,
        alertWebhookUrl,
        vars: o.vars,
        host: o.routerHost,
        port: o.routerPort,
        persistDir: stateDir,
        cron: true,
        exitOnSignal: false,
        onLog: (line) => this.#out.progress(`[router] ${line}`),
        onExit: () => {
          if (this.#stopping) return;
          if (this.#up) this.onDied("router (local workerd)", "workerd's process ended");
          else this.#routerDied = true;
        },
      });
    } catch (err) {
      const code = await probePort(o.routerHost, o.routerPort);
      if (code !== null) throw portError({ port: o.routerPort, host: o.routerHost, part: "router", flag: "--router-port" }, code);
      throw new PartFailed("router", `the router did not start in local workerd: ${(err as Error).message}`, "run `npm ci` (workerd comes with miniflare), then npm start again");
    }
    this.#check();
    const routerUrl = clientUrl(o.routerHost, o.routerPort);
    this.#out.step(
      "ok",
      "router",
      `ready at ${routerUrl} in local workerd (${ms(performance.now() - started)}), pools blue ${origins.blue.join(",")} · green ${origins.green.join(",")}`,
    );
    const cronError = this.#router.cronError();
    if (cronError !== null) this.#out.step("warn", "cron", `the scheduled handler failed (${cronError}); the controller's alarm may not be armed`);
    const routing = await this.#routing(routerUrl, tokens.tokens.ADMIN_TOKEN);
    this.#out.step(
      routing ? "ok" : "warn",
      "routing",
      routing
        ? `${routing.active} active · phase ${routing.phase} · epoch ${routing.epoch} (KV and Durable Object in ${shown(stateDir)}; cron ran, then every minute)`
        : "the router did not answer /admin/status; see its log lines above",
    );
    if (this.#routerDied) {
      throw new PartFailed("router", "local workerd exited while the stack was starting", "read the [router] lines above, then npm start again");
    }
    this.#up = true;
    return { routerUrl, colors, tokens, routing };
  }

  /** Stops the router, then the model servers (they drain); idempotent. */
  stop(): Promise<void> {
    this.#stopping = true;
    this.#stopped ??= (async () => {
      if (this.#router !== null) {
        await this.#router.stop().catch((err: unknown) => this.#out.step("warn", "router", `stop: ${String(err)}`));
        this.#out.step("ok", "router", "stopped");
      }
      await Promise.all(
        this.#servers.map(async (s) => {
          const exit = await s.stop();
          this.#out.step(exit.code === 0 ? "ok" : "warn", s.part, `stopped (${exit.signal ?? `exit ${exit.code}`}${exit.code === 0 ? ", drained" : ""})`);
        }),
      );
    })();
    return this.#stopped;
  }

  /** SIGKILLs whatever still runs (second signal, or exit while stopping). */
  kill(): void {
    for (const s of this.#servers) if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    void this.#router?.mf.dispose().catch(() => {});
  }

  async #startModelServers(originToken: string): Promise<NonNullable<StackUp["colors"]>> {
    const o = this.#o;
    const specs = [
      { color: "blue" as const, port: o.bluePort, version: o.blueVersion, faultRate: o.blueFaultRate, faultLatencyMs: o.blueFaultLatencyMs },
      { color: "green" as const, port: o.greenPort, version: o.greenVersion, faultRate: o.greenFaultRate, faultLatencyMs: o.greenFaultLatencyMs },
    ];
    const servers = specs.map((spec) => {
      const server = spawnModelServer({
        part: spec.color,
        port: spec.port,
        version: spec.version,
        originToken,
        faultControl: o.faultControl,
        faultRate: spec.faultRate,
        faultLatencyMs: spec.faultLatencyMs,
        onLine: (line) => this.#childLine(spec.color, line),
      });
      this.#servers.push(server);
      void server.exited.then((exit) => {
        // A terminal's Ctrl-C may reach a child a moment before our own handler runs.
        setTimeout(() => {
          if (this.#up && !this.#stopping) this.onDied(`${spec.color} model server`, exit.signal ?? `exit code ${exit.code}`);
        }, 100);
      });
      return server;
    });
    await Promise.all(
      servers.map(async (server, i) => {
        const spec = specs[i]!;
        const started = performance.now();
        try {
          await waitReady(server, READY_TIMEOUT_MS);
        } catch (err) {
          if (this.#stopping) throw new StartAborted("stopped while starting");
          throw new PartFailed(
            `${spec.color} model server`,
            `the ${spec.color} model server (sentiment ${spec.version}, port ${spec.port}) did not get ready: ${(err as Error).message}`,
            `read the [${spec.color}] lines above; check --${spec.color}-version names a directory in model-server/models/sentiment/`,
          );
        }
        const faults = [
          spec.faultRate > 0 ? `FAULT_RATE ${spec.faultRate}` : "",
          spec.faultLatencyMs > 0 ? `FAULT_LATENCY_MS ${spec.faultLatencyMs}` : "",
          o.faultControl ? "PUT /fault on" : "",
        ].filter(Boolean);
        this.#out.step("ok", spec.color, `sentiment ${spec.version} ready at ${server.url} (${ms(performance.now() - started)})${faults.length ? ` · ${faults.join(", ")}` : ""}`);
      }),
    );
    this.#check();
    return specs.map((spec, i) => ({ color: spec.color, url: servers[i]!.url, version: spec.version }));
  }

  /** A model-server log line, prefixed; per-request lines only with --log-requests. */
  #childLine(part: string, line: string): void {
    if (!this.#o.logRequests && line.includes('"event":"request"')) return;
    this.#out.progress(`[${part}]${" ".repeat(Math.max(1, 7 - part.length))}${line}`);
  }

  async #routing(url: string, adminToken: string): Promise<StackUp["routing"]> {
    try {
      const res = await fetch(`${url}/admin/status`, {
        headers: { authorization: `Bearer ${adminToken}` },
        signal: AbortSignal.timeout(STATUS_TIMEOUT_MS),
      });
      // The contract's status, strictly: a router of another version shows as "no routing state" here.
      const parsed = AdminStatus.safeParse(await res.json());
      return res.ok && parsed.success ? { active: parsed.data.active, epoch: parsed.data.epoch, phase: parsed.data.phase } : null;
    } catch {
      return null;
    }
  }

  #check(): void {
    if (this.#stopping) throw new StartAborted("stopped while starting");
  }
}

function describeTokens(t: DevVarsResult, file: string): string {
  const fromEnv = Object.entries(t.sources).filter(([, s]) => s === "env").map(([k]) => k);
  const parts: string[] = [];
  if (t.created) parts.push(`created ${file} (mode 0600) with random ${t.added.join(" and ")}`);
  else if (t.added.length > 0) parts.push(`added random ${t.added.join(" and ")} to ${file}`);
  else if (fromEnv.length < 2) parts.push(`read from ${file}`);
  if (fromEnv.length > 0) parts.push(`${fromEnv.join(" and ")} from the environment`);
  return parts.join("; ");
}
