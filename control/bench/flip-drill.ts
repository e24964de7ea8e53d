/**
 * Flip under load: constant closed-loop traffic, a flip in the middle, and
 * from the answers: when the new colour first answered and the old one last
 * answered (ms after the flip command was issued), and how many requests
 * failed. Used for nginx (`nginx -s reload`) and for the router (POST
 * /admin/flip) alike.
 */
import type { Target } from "./load.js";
import { type Answer, failed, startTraffic } from "./traffic.js";

export interface FlipResult {
  /** Requests finished during the whole drill. */
  total: number;
  /** Of those, failed ones (non-2xx or network errors), with their reasons. */
  failed: number;
  failures: Record<string, number>;
  /** ms from issuing the flip to the first answer from the new colour. */
  firstNewMs: number | null;
  /** ms from issuing the flip to the last answer from the old colour (≤ 0: none after the flip). */
  lastOldMs: number | null;
  /** How long the flip command itself took (reload / admin call). */
  commandMs: number;
  /** Answers from the new colour before the flip (should be 0). */
  newBeforeFlip: number;
}

/** Summarizes a drill's answers around the flip issued at `t0` (pure). */
export function summarizeFlip(answers: Answer[], t0: number, commandMs: number, oldColor: string, newColor: string): FlipResult {
  const failures: Record<string, number> = {};
  for (const a of answers.filter(failed)) {
    const why = a.error ?? `HTTP ${a.status}`;
    failures[why] = (failures[why] ?? 0) + 1;
  }
  const fromNew = answers.filter((a) => a.color === newColor);
  const fromOld = answers.filter((a) => a.color === oldColor);
  const firstNew = fromNew.filter((a) => a.at >= t0).reduce<number | null>((m, a) => (m === null || a.at < m ? a.at : m), null);
  const lastOld = fromOld.reduce<number | null>((m, a) => (m === null || a.at > m ? a.at : m), null);
  return {
    total: answers.length,
    failed: answers.filter(failed).length,
    failures,
    firstNewMs: firstNew === null ? null : firstNew - t0,
    lastOldMs: lastOld === null ? null : lastOld - t0,
    commandMs,
    newBeforeFlip: fromNew.filter((a) => a.at < t0).length,
  };
}

export interface FlipDrillOptions {
  target: Target;
  colors: Record<string, string>;
  from: string;
  to: string;
  /** Issues the flip; resolves when the command returned. */
  flip: () => Promise<void>;
  concurrency: number;
  beforeMs: number;
  afterMs: number;
}

/** Runs traffic, flips after `beforeMs`, keeps going `afterMs`, and summarizes. */
export async function runFlipDrill(o: FlipDrillOptions): Promise<FlipResult> {
  const traffic = startTraffic({ target: o.target, colors: o.colors, concurrency: o.concurrency });
  await new Promise((r) => setTimeout(r, o.beforeMs));
  const t0 = performance.now();
  await o.flip();
  const commandMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, o.afterMs));
  const answers = await traffic.stop();
  return summarizeFlip(answers, t0, commandMs, o.from, o.to);
}
