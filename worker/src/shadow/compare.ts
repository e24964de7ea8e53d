/**
 * Comparing the standby's answer with the active colour's, item by item
 * (pure): the same label or not, and |Δconfidence| when both reported one.
 * Both answers are read with the drift rule's parsing (contract/labels.ts
 * answerLabels), so "a valid prediction" means the same thing to both.
 * Only items whose active answer is a valid prediction are compared; a
 * standby item that is not one is compared and disagrees (`unparseable`).
 */
import { answerLabels, parseAnswerJson, type AnswerKind, type LabelRead } from "../../../contract/labels.js";

/** What comparing one answer pair found. */
export interface Comparison {
  compared: number;
  agreed: number;
  unparseable: number;
  /** Items where both reported a confidence, and the sum of their |Δconfidence| in millionths. */
  confidencePairs: number;
  confidenceDeltaMicros: number;
}

// One decoder for every answer: bad UTF-8 is not JSON, so nothing in it is a valid prediction.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** The items of an answer's bytes (null: the answer was not read, e.g. streamed). */
export function itemsOf(kind: AnswerKind, expected: number, bytes: Uint8Array | null): (LabelRead | null)[] {
  if (bytes === null) return new Array<null>(expected).fill(null);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return new Array<null>(expected).fill(null);
  }
  return answerLabels(kind, parseAnswerJson(text), expected);
}

/** Compares the standby's items with the active's, position by position. */
export function compareItems(active: readonly (LabelRead | null)[], standby: readonly (LabelRead | null)[]): Comparison {
  const out: Comparison = { compared: 0, agreed: 0, unparseable: 0, confidencePairs: 0, confidenceDeltaMicros: 0 };
  for (let i = 0; i < active.length; i++) {
    const a = active[i];
    if (a === null || a === undefined) continue;
    out.compared += 1;
    const s = standby[i] ?? null;
    if (s === null) {
      out.unparseable += 1;
      continue;
    }
    if (s.label === a.label) out.agreed += 1;
    if (a.confidence !== undefined && s.confidence !== undefined) {
      out.confidencePairs += 1;
      out.confidenceDeltaMicros += Math.round(Math.abs(a.confidence - s.confidence) * 1e6);
    }
  }
  return out;
}
