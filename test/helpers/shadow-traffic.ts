/**
 * Golden-set traffic for the shadow drills (test/e2e/shadow*.test.ts): the
 * golden set's texts, a paced open-loop sender that keeps every answer's
 * status, colour and exact body, and the models' offline agreement on the
 * texts sent, computed in process from the shipped model artifacts.
 * Loopback only; bounded in count and time.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseGoldenSet } from "../../contract/golden-set.js";
import { Rng } from "../../control/sim/engine/rng.js";
import { loadModel } from "../../model-server/index.js";
import { GOLDEN_SET_FILE, SHIPPED_MODELS_DIR } from "./model-artifacts.js";

/**
 * The golden set's texts in a fixed shuffled order (the file is grouped by
 * label: sent in file order, a few seconds of traffic would be all one label,
 * which the drift rule rightly calls drift).
 */
export function goldenTexts(): string[] {
  const texts = parseGoldenSet(readFileSync(GOLDEN_SET_FILE, "utf8")).map((e) => e.text);
  const rng = new Rng(13);
  for (let i = texts.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [texts[i], texts[j]] = [texts[j]!, texts[i]!];
  }
  return texts;
}

/** One answer a user got. */
export interface UserAnswer {
  i: number;
  text: number;
  status: number | null;
  color: string | null;
  body: string;
  ms: number;
}

/** Sends `count` predictions of texts[i % texts.length] at `perSecond` (open loop); answers them in send order. */
export async function sendGolden(url: string, texts: readonly string[], perSecond: number, count: number): Promise<UserAnswer[]> {
  const out: UserAnswer[] = [];
  const pending: Promise<void>[] = [];
  const startedAt = Date.now();
  for (let i = 0; i < count; i++) {
    const wait = startedAt + (i * 1000) / perSecond - Date.now();
    if (wait > 0) await sleep(wait);
    const text = i % texts.length;
    pending.push(
      (async () => {
        const sent = performance.now();
        try {
          const res = await fetch(`${url}/predict`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ text: texts[text] }),
            signal: AbortSignal.timeout(15_000),
          });
          const body = await res.text();
          out.push({ i, text, status: res.status, color: res.headers.get("x-bluegreen-color"), body, ms: performance.now() - sent });
        } catch (err) {
          out.push({ i, text, status: null, color: null, body: String(err), ms: performance.now() - sent });
        }
      })(),
    );
  }
  await Promise.all(pending);
  return out.sort((a, b) => a.i - b.i);
}

/** The share of `answers`' texts on which the shipped v1 and v2 models give the same label (weighted as sent). */
export async function offlineAgreement(texts: readonly string[], sentTexts: readonly number[]): Promise<number> {
  const dir = path.join(SHIPPED_MODELS_DIR, "sentiment");
  const [v1, v2] = await Promise.all([loadModel(path.join(dir, "v1")), loadModel(path.join(dir, "v2"))]);
  let same = 0;
  for (const t of sentTexts) if (v1.predict(texts[t]!).prediction === v2.predict(texts[t]!).prediction) same++;
  return same / sentTexts.length;
}

/** The q-quantile of `values` (nearest rank). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
