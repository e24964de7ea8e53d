/**
 * The seed's proxy for comparison: nginx (Debian's nginx-light, installed
 * with apt-get when missing and we are root) with a config equivalent to the
 * seed's — an upstream holding the active colour, proxy_pass to it, and a
 * flip by rewriting the upstream and `nginx -s reload`. Everything lives in
 * a temporary directory (config, pid, error log, temp paths) and listens on
 * 127.0.0.1 only. Upstream keep-alive is on, as a tuned nginx would run (a
 * stronger baseline than the seed's plain proxy_pass).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const CANDIDATES = ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"];
const POLICY_RC = "/usr/sbin/policy-rc.d";

/** Where nginx is, or why there is none. */
export type NginxBinary = { path: string; installed: boolean } | { path: null; reason: string };

async function which(): Promise<string | null> {
  for (const p of CANDIDATES) if (existsSync(p)) return p;
  try {
    const { stdout } = await run("sh", ["-c", "command -v nginx"]);
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

/**
 * Finds nginx, or installs nginx-light from Debian's packages (root only).
 * A temporary policy-rc.d keeps the package from starting its own nginx on :80.
 */
export async function ensureNginx(log: (line: string) => void): Promise<NginxBinary> {
  const found = await which();
  if (found) return { path: found, installed: false };
  if (process.getuid?.() !== 0) return { path: null, reason: "nginx is not installed and installing nginx-light needs root (apt-get install -y nginx-light)" };
  if (!existsSync("/usr/bin/apt-get")) return { path: null, reason: "nginx is not installed and there is no apt-get to install nginx-light" };
  const guard = !existsSync(POLICY_RC);
  try {
    if (guard) writeFileSync(POLICY_RC, "#!/bin/sh\n# bluegreen bench: no service starts while installing nginx-light\nexit 101\n", { mode: 0o755 });
    log("apt-get update (for nginx-light)");
    await run("apt-get", ["update", "-qq"], { timeout: 300_000, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    log("apt-get install -y nginx-light");
    await run("apt-get", ["install", "-y", "-qq", "nginx-light"], { timeout: 300_000, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  } catch (err) {
    return { path: null, reason: `installing nginx-light failed: ${(err as Error).message.split("\n")[0]}` };
  } finally {
    if (guard) rmSync(POLICY_RC, { force: true });
  }
  const installed = await which();
  return installed ? { path: installed, installed: true } : { path: null, reason: "apt-get installed nginx-light but no nginx binary was found" };
}

/** A running nginx in its own directory. */
export interface Nginx {
  url: string;
  dir: string;
  /** The master process (its workers are its children). */
  pid: number;
  /** Points the upstream at `origin` and reloads; resolves when `nginx -s reload` has returned. */
  flipTo(origin: string): Promise<void>;
  stop(): Promise<void>;
}

function upstreamConf(origin: string): string {
  const { hostname, port } = new URL(origin);
  return `upstream model {\n    server ${hostname}:${port};\n    keepalive 64;\n}\n`;
}

function nginxConf(dir: string, port: number): string {
  return `# bluegreen bench: the seed's proxy — an upstream with the active colour, proxy_pass, reload to flip.
daemon off;
master_process on;
worker_processes auto;
user root;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    include ${dir}/upstream.conf;
    server {
        listen 127.0.0.1:${port};
        location / {
            proxy_pass http://model;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
`;
}

/** Starts nginx on 127.0.0.1:`port` in front of `origin`; resolves once it answers. */
export async function startNginx(binary: string, port: number, origin: string): Promise<Nginx> {
  const dir = await mkdtemp(path.join(tmpdir(), "bluegreen-bench-nginx-"));
  mkdirSync(path.join(dir, "client_body"));
  mkdirSync(path.join(dir, "proxy"));
  writeFileSync(path.join(dir, "upstream.conf"), upstreamConf(origin));
  const conf = path.join(dir, "nginx.conf");
  writeFileSync(conf, nginxConf(dir, port));
  const args = ["-p", dir, "-e", path.join(dir, "error.log"), "-c", conf];
  try {
    await run(binary, [...args, "-t", "-q"]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const proc: ChildProcess = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  proc.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`nginx exited (${proc.exitCode}): ${stderr.trim()}`);
    const up = await fetch(`${url}/health`).then((r) => r.status > 0, () => false);
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    dir,
    pid: proc.pid!,
    async flipTo(next: string) {
      writeFileSync(path.join(dir, "upstream.conf"), upstreamConf(next));
      await run(binary, [...args, "-s", "reload"]);
    },
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once("exit", r));
        proc.kill("SIGQUIT");
        const timer = setTimeout(() => proc.kill("SIGTERM"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
