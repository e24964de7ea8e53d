/**
 * Fault injection for drills and tests. Loud faults: a share of predictions
 * answers 500 and every prediction can be delayed. Silent faults: a share of
 * predictions answers 200 with a wrong label — one constant label, two labels
 * swapped, or a random one — the way a stale artifact or a swapped label map
 * fails, which only the router's prediction-drift rule can see
 * (docs/rollback-policy.md "Prediction drift"). Set from FAULT_* at start
 * and, with FAULT_CONTROL=1, changed at run time by `PUT /fault`.
 */
import { z } from "zod";
import { LABELS, type Label, type SentimentPrediction } from "../../contract/prediction.js";

/** Largest injectable latency (10 minutes), same bound as FAULT_LATENCY_MS. */
export const MAX_FAULT_LATENCY_MS = 600_000;

/**
 * How a silent fault answers: every wrong answer is `label`; `a` and `b`
 * swapped (other labels unchanged); or a label drawn uniformly from LABELS
 * (which may happen to be the right one).
 */
export type SilentMode = { kind: "constant"; label: Label } | { kind: "swap"; a: Label; b: Label } | { kind: "random" };

const LABEL_LIST = LABELS.join(", ");

/** Reads `constant:<label>`, `swap:<a>,<b>` or `random`; throws an Error saying what is wrong. */
export function parseSilentMode(text: string): SilentMode {
  const t = text.trim();
  if (t === "random") return { kind: "random" };
  const label = (s: string): Label => {
    const l = s.trim();
    if (!(LABELS as readonly string[]).includes(l)) throw new Error(`"${l}" is not a label (${LABEL_LIST})`);
    return l as Label;
  };
  if (t.startsWith("constant:")) return { kind: "constant", label: label(t.slice("constant:".length)) };
  if (t.startsWith("swap:")) {
    const parts = t.slice("swap:".length).split(",");
    if (parts.length !== 2) throw new Error("swap needs two labels: swap:<a>,<b>");
    const [a, b] = [label(parts[0]!), label(parts[1]!)];
    if (a === b) throw new Error("swap needs two different labels");
    return { kind: "swap", a, b };
  }
  throw new Error(`must be constant:<label>, swap:<a>,<b> or random (labels: ${LABEL_LIST})`);
}

/** The text form of a mode, as GET /fault shows it. */
export function silentModeText(mode: SilentMode): string {
  switch (mode.kind) {
    case "constant":
      return `constant:${mode.label}`;
    case "swap":
      return `swap:${mode.a},${mode.b}`;
    case "random":
      return "random";
  }
}

export interface FaultSettings {
  /** 0..1: share of predictions that answer 500. */
  rate: number;
  /** Delay added to every prediction, in ms. */
  latencyMs: number;
  /** 0..1: share of predictions answered 200 with a wrong label (per item of a batch). */
  silentRate: number;
  /** How the wrong label is chosen: `constant:<label>`, `swap:<a>,<b>` or `random`. */
  silentMode: string;
  /** The confidence of the wrong answers; null keeps the model's own. */
  silentConfidence: number | null;
}

const SilentModeText = z.string().superRefine((s, ctx) => {
  try {
    parseSilentMode(s);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: `silentMode ${(err as Error).message}` });
  }
});

/** `PUT /fault` body: any of the fields; unknown fields are rejected. */
export const FaultUpdate = z
  .strictObject({
    rate: z.number().min(0).max(1).optional(),
    latencyMs: z.number().int().min(0).max(MAX_FAULT_LATENCY_MS).optional(),
    silentRate: z.number().min(0).max(1).optional(),
    silentMode: SilentModeText.optional(),
    silentConfidence: z.number().min(0).max(1).nullable().optional(),
  })
  .refine((u) => Object.values(u).some((v) => v !== undefined), {
    message: "give rate (0..1), latencyMs (integer ms), silentRate (0..1), silentMode or silentConfidence (0..1 or null)",
  });
export type FaultUpdate = z.infer<typeof FaultUpdate>;

export class Faults {
  #settings: FaultSettings;
  #mode: SilentMode;

  /** `random` returns [0, 1); injectable for tests. A bad `silentMode` throws. */
  constructor(
    initial: Pick<FaultSettings, "rate" | "latencyMs"> & Partial<FaultSettings>,
    private readonly random: () => number = Math.random,
  ) {
    this.#settings = { silentRate: 0, silentMode: "random", silentConfidence: null, ...initial };
    this.#mode = parseSilentMode(this.#settings.silentMode);
    this.#settings.silentMode = silentModeText(this.#mode);
  }

  /** The current settings (a copy). */
  get settings(): FaultSettings {
    return { ...this.#settings };
  }

  /** Applies a validated update and returns the new settings. */
  update(update: FaultUpdate): FaultSettings {
    const mode = update.silentMode === undefined ? this.#mode : parseSilentMode(update.silentMode);
    this.#mode = mode;
    this.#settings = {
      rate: update.rate ?? this.#settings.rate,
      latencyMs: update.latencyMs ?? this.#settings.latencyMs,
      silentRate: update.silentRate ?? this.#settings.silentRate,
      silentMode: silentModeText(mode),
      silentConfidence: update.silentConfidence === undefined ? this.#settings.silentConfidence : update.silentConfidence,
    };
    return this.settings;
  }

  /** Decides, for one prediction request, whether it fails and how long it waits first. */
  decide(): { fail: boolean; delayMs: number } {
    const { rate, latencyMs } = this.#settings;
    return { fail: rate > 0 && this.random() < rate, delayMs: latencyMs };
  }

  /** One prediction as the silent fault leaves it: unchanged, or (for `silentRate` of them) with a wrong label. */
  silent(p: SentimentPrediction): SentimentPrediction {
    const { silentRate, silentConfidence } = this.#settings;
    if (silentRate <= 0 || this.random() >= silentRate) return p;
    const confidence = silentConfidence ?? p.confidence;
    const mode = this.#mode;
    switch (mode.kind) {
      case "constant":
        return { ...p, prediction: mode.label, confidence };
      case "swap": {
        const prediction = p.prediction === mode.a ? mode.b : p.prediction === mode.b ? mode.a : p.prediction;
        return { ...p, prediction, confidence };
      }
      case "random":
        return { ...p, prediction: LABELS[Math.min(LABELS.length - 1, Math.floor(this.random() * LABELS.length))]!, confidence };
    }
  }
}
