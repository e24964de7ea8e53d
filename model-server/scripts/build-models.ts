/**
 * `npm run models:build [-- --out DIR] [-- --check]`: regenerates the
 * shipped model artifacts (models/sentiment/v1, v2) from the installed npm
 * packages' data, writes the sha256 of every file into each manifest, and
 * loads each result back through `loadModel` as a check.
 * `--check` builds into a temporary directory and fails (exit 1) if the
 * result differs from the committed artifacts.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadModel } from "../src/model/load.js";
import { MANIFEST_FILE } from "../src/model/manifest.js";
import { writeModelArtifact } from "../src/model/write-artifact.js";
import { shippedArtifacts } from "./sentiment-artifacts.js";

/** The shipped artifacts root, `model-server/models`. */
export const SHIPPED_MODELS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../models");

export interface BuiltModel {
  relDir: string;
  dir: string;
  digest: string;
  files: number;
  bytes: number;
}

/** Builds every shipped artifact under `outRoot` and verifies each loads; returns what was written. */
export async function buildModels(outRoot: string): Promise<BuiltModel[]> {
  const built: BuiltModel[] = [];
  for (const { relDir, spec } of await shippedArtifacts()) {
    const dir = path.join(outRoot, relDir);
    const written = await writeModelArtifact(dir, spec);
    const model = await loadModel(dir, { name: spec.name, version: spec.version });
    if (model.digest !== written.digest) throw new Error(`${relDir}: loaded digest ${model.digest} != written ${written.digest}`);
    const bytes = written.manifest.files.reduce((n, f) => n + f.bytes, 0);
    built.push({ relDir, dir, digest: written.digest, files: written.manifest.files.length, bytes });
  }
  return built;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { out: { type: "string" }, check: { type: "boolean", default: false } } });
  if (values.check) {
    const tmp = await mkdtemp(path.join(tmpdir(), "models-check-"));
    try {
      const built = await buildModels(tmp);
      let same = true;
      for (const b of built) {
        const fresh = await readFile(path.join(b.dir, MANIFEST_FILE), "utf8");
        const committed = await readFile(path.join(SHIPPED_MODELS_DIR, b.relDir, MANIFEST_FILE), "utf8").catch(() => "");
        const ok = fresh === committed;
        same &&= ok;
        console.log(`${ok ? "ok     " : "DIFFERS"} ${b.relDir}  ${b.digest}`);
      }
      if (!same) console.error("The committed artifacts are not what the build produces: run `npm run models:build` and commit.");
      return same ? 0 : 1;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  const outRoot = path.resolve(values.out ?? SHIPPED_MODELS_DIR);
  for (const b of await buildModels(outRoot)) {
    console.log(`built ${b.relDir}: ${b.files} files, ${(b.bytes / 1024).toFixed(1)} KiB, digest ${b.digest}`);
  }
  return 0;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`models:build failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(2);
    },
  );
}
