/**
 * Reads a golden set from disk (`model-server/golden/*.jsonl`); the format
 * and its parser are the contract's (contract/golden-set.ts), shared with
 * `bluegreen validate`.
 */
import { readFile } from "node:fs/promises";
import { parseGoldenSet, type GoldenExample } from "../../../contract/golden-set.js";

/** Reads and parses a golden-set JSONL file; throws GoldenSetError naming a bad line. */
export async function readGoldenSet(file: string): Promise<GoldenExample[]> {
  return parseGoldenSet(await readFile(file, "utf8"), file);
}
