/**
 * The label telemetry's own code per answer, measured in process (Node):
 * decoding a model server's answer, parsing it, reading its label per the
 * contract and counting it — what the router adds per answer read besides
 * buffering the body (answer-labels.ts). A stable figure beside the A/B
 * rounds of `npm run bench`, whose instance-to-instance noise on a shared
 * machine is larger than the difference.
 */
import { answerLabels, countAnswer, emptyLabelCounts, parseAnswerJson } from "../../contract/labels.js";

/** A typical answer of our model server (the bench's POST /predict). */
const ANSWER = '{"prediction":"positive","confidence":0.9312,"model_version":"v1"}';

/** Microseconds per answer counted (median of `rounds` rounds of `perRound` answers). */
export function labelCodeMicros(rounds = 5, perRound = 200_000): number {
  const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  const bytes = new TextEncoder().encode(ANSWER);
  // What TelemetryBuffer.recordLabels does with the items (control/ imports no worker/src): countAnswer into the bucket's counts.
  let counts = emptyLabelCounts();
  const perAnswer: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < perRound; i++) countAnswer(counts, answerLabels("single", parseAnswerJson(utf8.decode(bytes)), 1));
    perAnswer.push(Number(process.hrtime.bigint() - t0) / perRound / 1000);
    counts = emptyLabelCounts();
  }
  perAnswer.sort((a, b) => a - b);
  return perAnswer[Math.floor(rounds / 2)]!;
}
