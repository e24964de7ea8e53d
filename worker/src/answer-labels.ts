/**
 * Prediction telemetry on the traffic path (docs/architecture.md "Router"):
 * the labels of each 2xx answer to /predict and /predict/batch, counted for
 * the colour that served it (contract/labels.ts reads them; an answer that is
 * not valid per the contract counts as unparseable). The client gets the
 * same status, headers and bytes it would have got without it:
 *
 * - an answer that declares a Content-Length of at most
 *   MAX_LABELLED_ANSWER_BYTES — every answer of our model server and of a
 *   FastAPI one — is read whole (it has normally arrived in full with its
 *   headers: a few hundred bytes), counted, and given to the client from
 *   those bytes;
 * - any other 2xx answer (streamed without a length, or larger) goes to the
 *   client as it streams, through one branch of a tee, while the other
 *   branch is read and counted after the answer, under waitUntil, up to the
 *   same cap (beyond it, nothing is counted).
 *
 * At most LABEL_MAX_PER_SECOND answers per second and colour are read in an
 * isolate; the rest pass through unread, as with LABEL_TELEMETRY=off: the
 * drift rule needs a fair sample, and reading costs CPU on the hot path
 * (`npm run bench`).
 */
import type { Color } from "../../contract/colors.js";
import { answerLabels, parseAnswerJson, type AnswerKind } from "../../contract/labels.js";
import type { Attempt } from "./attempt.js";
import type { WaitUntil } from "./controller-link.js";
import { errorResponse } from "./errors.js";
import type { TelemetryBuffer } from "./telemetry.js";

/** Largest answer whose labels are read. A batch of 64 predictions is about 5 KiB. */
export const MAX_LABELLED_ANSWER_BYTES = 256 * 1024;

/** What reading an answer's labels needs: the route's kind, how many predictions it must carry, where to count, and waitUntil for a streamed answer. */
export interface LabelReading {
  kind: AnswerKind;
  /** 1 for /predict; the number of texts for /predict/batch. */
  expected: number;
  telemetry: TelemetryBuffer;
  ctx: WaitUntil;
  /**
   * Called after a streamed answer's labels were counted, in the background
   * (optional): the request's own report has usually left by then, so the
   * caller lets its controller link flush them (ControllerLink.afterRequest)
   * instead of leaving them for the next request's report.
   */
  onCounted?: () => void;
  /** At most this many answers per second and colour are read (TelemetryBuffer.takeLabelSlot; LABEL_MAX_PER_SECOND); unset: every answer. */
  maxPerSecond?: number;
}

// One decoder for every answer: bad UTF-8 is not JSON, so it is unparseable.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function count(reading: LabelReading, color: Color, bytes: Uint8Array): void {
  let value: unknown;
  try {
    value = parseAnswerJson(utf8.decode(bytes));
  } catch {
    value = undefined;
  }
  reading.telemetry.recordLabels(color, answerLabels(reading.kind, value, reading.expected), Date.now());
}

/**
 * Counts the labels of `attempt`'s answer (a 2xx from `color`); answers the
 * attempt to give the client: the same answer, its body from the bytes read
 * (`Attempt.body`) or from the tee's client branch. An answer whose body breaks off while it is read whole is
 * answered 502 (the client would have got a broken body) and not counted.
 */
export async function countAnswerLabels(attempt: Attempt, color: Color, reading: LabelReading): Promise<Attempt> {
  const response = attempt.response;
  if (response === null || attempt.status < 200 || attempt.status > 299 || response.body === null) return attempt;
  if (reading.maxPerSecond !== undefined && !reading.telemetry.takeLabelSlot(color, Date.now(), reading.maxPerSecond)) return attempt;
  const declared = response.headers.get("content-length");
  const length = declared === null ? NaN : Number(declared);
  if (length <= MAX_LABELLED_ANSWER_BYTES) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch {
      return { ...attempt, response: errorResponse("bad_gateway", "the origin's answer broke off"), status: 502 };
    }
    count(reading, color, bytes);
    return { ...attempt, body: bytes };
  }
  const [toClient, toCount] = response.body.tee();
  const streamedBytes = countStreamed(toCount, color, reading);
  reading.ctx.waitUntil(streamedBytes);
  return { ...attempt, body: toClient, streamedBytes };
}

// Reads a streamed answer's copy up to the cap and counts it, answering its bytes; past the cap, or broken off, nothing is counted (null).
async function countStreamed(stream: ReadableStream<Uint8Array>, color: Color, reading: LabelReading): Promise<Uint8Array | null> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > MAX_LABELLED_ANSWER_BYTES) {
        await reader.cancel();
        return null;
      }
      chunks.push(value);
    }
  } catch {
    return null;
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  count(reading, color, bytes);
  reading.onCounted?.();
  return bytes;
}
