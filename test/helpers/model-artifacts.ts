/**
 * Model-artifact builders for tests: temporary MODEL_DIR roots, copies of the
 * shipped artifacts (to tamper with), and a deliberately worse model that
 * loads fine but scores badly on the golden set (for quality-gate tests).
 * Layout is the server's: `<root>/<name>/<version>/manifest.json`.
 */
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AFINN_FILES, formatLexiconTsv, parseLexiconTsv, type WrittenArtifact, writeModelArtifact } from "../../model-server/index.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** The shipped artifacts root (`model-server/models`). */
export const SHIPPED_MODELS_DIR = path.join(REPO, "model-server", "models");
/** The shipped golden set. */
export const GOLDEN_SET_FILE = path.join(REPO, "model-server", "golden", "sentiment.jsonl");

/** A fresh empty directory under the OS temp dir; remove it with `removeDir`. */
export async function makeTmpDir(prefix = "bluegreen-models-"): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

/** Removes a directory made by `makeTmpDir`. */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Copies a shipped artifact (e.g. "v2") to `<root>/<name>/<version>` and returns that directory. */
export async function copyShippedModel(root: string, version: string, name = "sentiment"): Promise<string> {
  const dest = path.join(root, name, version);
  await cp(path.join(SHIPPED_MODELS_DIR, name, version), dest, { recursive: true });
  return dest;
}

export interface WorseModelOptions {
  name?: string;
  /** Version directory to write; default "v3" (a "new" version that should fail the gate). */
  version?: string;
  /**
   * "inverted": AFINN-165 with every valence's sign flipped — a broken
   * training run, far worse than chance on polar texts. "tiny": only a
   * dozen common words — weak recall, mostly "neutral".
   */
  variant?: "inverted" | "tiny";
}

const TINY_WORDS = ["good", "great", "love", "excellent", "happy", "bad", "terrible", "hate", "awful", "poor", "broken", "worst"];

/**
 * Writes a valid `afinn-lexicon` artifact of a weak model to
 * `<root>/<name>/<version>` (derived from the shipped v1 lexicon). It passes
 * every load check; only its predictions are bad.
 */
export async function makeWorseModel(
  root: string,
  options: WorseModelOptions = {},
): Promise<WrittenArtifact & { name: string; version: string }> {
  const name = options.name ?? "sentiment";
  const version = options.version ?? "v3";
  const variant = options.variant ?? "inverted";
  const v1 = path.join(SHIPPED_MODELS_DIR, "sentiment", "v1");
  const lexicon = parseLexiconTsv(await readFile(path.join(v1, AFINN_FILES.lexicon), "utf8"), AFINN_FILES.lexicon);
  const entries =
    variant === "inverted"
      ? [...lexicon].map(([w, v]) => [w, -v] as const)
      : TINY_WORDS.map((w) => [w, lexicon.get(w) ?? 0] as const).filter(([, v]) => v !== 0);
  const written = await writeModelArtifact(path.join(root, name, version), {
    name,
    version,
    kind: "afinn-lexicon",
    description: `Deliberately worse test model (${variant} AFINN lexicon); never ship.`,
    labels: ["positive", "negative", "neutral"],
    files: {
      [AFINN_FILES.lexicon]: formatLexiconTsv(entries),
      [AFINN_FILES.params]: await readFile(path.join(v1, AFINN_FILES.params)),
    },
    sources: [{ name: "test/helpers/model-artifacts.ts, from the shipped v1 lexicon", url: "test/helpers/model-artifacts.ts", licence: "ODbL-1.0" }],
    licence: "ODbL-1.0 (derived from AFINN-165)",
    created: "2026-01-01T00:00:00Z",
  });
  return { ...written, name, version };
}
