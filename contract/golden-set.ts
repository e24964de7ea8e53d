/**
 * The golden-set format shared by the model tooling and `bluegreen
 * validate`: JSONL, one `{"text": "...", "label": "positive"|"negative"|"neutral"}`
 * per line, blank lines allowed (model-server/golden/*.jsonl).
 */
import * as z from "zod/mini";
import { Label } from "./prediction.js";
import "./zod-messages.js";

export const GoldenExample = z.strictObject({
  text: z.string().check(z.refine((s) => s.trim().length > 0, { message: "text must not be blank" })),
  label: Label,
});
export type GoldenExample = z.infer<typeof GoldenExample>;

/** Raised on a malformed golden-set line; names the file and line. */
export class GoldenSetError extends Error {
  override name = "GoldenSetError";
}

/** Parses JSONL golden-set content; throws GoldenSetError naming the bad line. */
export function parseGoldenSet(content: string, file = "golden set"): GoldenExample[] {
  const examples: GoldenExample[] = [];
  content.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new GoldenSetError(`${file}:${i + 1}: not valid JSON`);
    }
    const parsed = GoldenExample.safeParse(value);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((e) => `${e.path.join(".") || "(line)"}: ${e.message}`).join("; ");
      throw new GoldenSetError(`${file}:${i + 1}: ${issues}`);
    }
    examples.push(parsed.data);
  });
  return examples;
}
