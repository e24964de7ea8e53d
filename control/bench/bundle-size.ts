/**
 * The Worker bundle as Cloudflare would get it: `wrangler deploy --dry-run
 * --outdir <tmp>` (nothing is uploaded, no account needed), then the size of
 * the script it wrote, uncompressed and gzipped — what every cold isolate at
 * the edge parses.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { REPO_ROOT } from "../src/stack/local-router.js";

const run = promisify(execFile);
const WRANGLER = path.join(REPO_ROOT, "node_modules", ".bin", "wrangler");

/** Sizes of the deployable script. */
export interface BundleSize {
  /** The main module's bytes (source maps and READMEs not counted). */
  bytes: number;
  gzipBytes: number;
  file: string;
}

/** Builds the Worker as `wrangler deploy` would and measures the script; throws with wrangler's output when it fails. */
export async function measureBundle(): Promise<BundleSize> {
  const outdir = await mkdtemp(path.join(tmpdir(), "bluegreen-bundle-"));
  try {
    await run(WRANGLER, ["deploy", "--dry-run", "--outdir", outdir], {
      cwd: REPO_ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_LOG: "warn" },
      maxBuffer: 16 * 1024 * 1024,
    }).catch((err: { stderr?: string; stdout?: string; message: string }) => {
      throw new Error(`wrangler deploy --dry-run failed: ${(err.stderr || err.stdout || err.message).trim().slice(-2000)}`);
    });
    const scripts = (await readdir(outdir)).filter((f) => /\.m?js$/.test(f));
    if (scripts.length === 0) throw new Error(`wrangler deploy --dry-run wrote no script to ${outdir}`);
    let bytes = 0;
    let gzipBytes = 0;
    for (const f of scripts) {
      const content = await readFile(path.join(outdir, f));
      bytes += content.byteLength;
      gzipBytes += gzipSync(content, { level: 9 }).byteLength;
    }
    return { bytes, gzipBytes, file: scripts.join(", ") };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

/** "1,020,643 bytes (996.7 KiB), 185.2 KiB gzipped". */
export function describeBundle(b: BundleSize): string {
  return `${b.bytes.toLocaleString("en-US")} bytes (${(b.bytes / 1024).toFixed(1)} KiB), ${(b.gzipBytes / 1024).toFixed(1)} KiB gzipped`;
}
