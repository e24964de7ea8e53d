/**
 * The controller's traffic memory: the metric windows the rollback rule
 * judges, the dashboard's timeline, the per-minute label history a flip
 * freezes its baseline from, and the relay registry that knows which relay
 * batches the windows hold — each loaded from storage on first use (an
 * unreadable copy starts empty) and saved at most every so often on reports
 * and forwards (the alarm always saves); the registry is saved with the
 * windows, in one transaction. Also the second of the last flip or
 * rollback, before which the windows count nothing.
 */
import type { TelemetryEnvelope } from "../../../contract/telemetry.js";
import type { ForwardAnswer, RelayForward } from "../relay/relay-messages.js";
import type { VerdictRecord } from "./evaluation.js";
import { LabelHistory } from "./label-history.js";
import { MetricWindows } from "./metric-windows.js";
import { RelayRegistry } from "./relay-registry.js";
import type { StateStore } from "./state-store.js";
import { Timeline } from "./timeline.js";

/** Reports save the metric windows at most this often (the alarm always saves them). */
const WINDOWS_SAVE_INTERVAL_MS = 1_000;
/** Reports save the dashboard's timeline and the label history at most this often (the alarm always saves them). */
const TIMELINE_SAVE_INTERVAL_MS = 5_000;

/** What TrafficMemory reads lazily from its Durable Object. */
export interface TrafficMemoryOptions {
  /** The deployment's name, for logs. */
  deployment: () => string;
  /** The windows' capacity in seconds (the policy's slow window). */
  capacitySeconds: () => number;
}

/** The metric windows and the timeline of one controller, with their lazy loads and throttled saves. */
export class TrafficMemory {
  readonly #store: StateStore;
  readonly #options: TrafficMemoryOptions;
  #windowsCache: MetricWindows | null = null;
  #windowsDirty = false;
  #windowsSavedAtMs = 0;
  #timelineCache: Timeline | null = null;
  #timelineDirty = false;
  #timelineSavedAtMs = 0;
  #labelsCache: LabelHistory | null = null;
  #labelsDirty = false;
  #sinceCache: number | null | undefined = undefined;
  #relaysCache: RelayRegistry | null = null;
  #relaysDirty = false;

  constructor(store: StateStore, options: TrafficMemoryOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** Adds a report to the metric windows; answers how many malformed buckets were dropped. */
  addToWindows(report: TelemetryEnvelope, nowMs: number): number {
    const tally = this.windows().addReport(report, nowMs / 1000);
    this.#windowsDirty ||= tally.added + tally.clamped > 0;
    return tally.invalid;
  }

  /** Adds a report to the dashboard's timeline and to the label history. */
  addToTimeline(report: TelemetryEnvelope, nowMs: number): void {
    if (this.timeline().addReport(report, nowMs / 1000) > 0) this.#timelineDirty = true;
    if (this.labelHistory().addReport(report, nowMs / 1000) > 0) this.#labelsDirty = true;
  }

  /** Saves what a report changed, each no more often than its interval. */
  saveThrottled(nowMs: number, lastVerdict: VerdictRecord | null): void {
    if (nowMs - this.#windowsSavedAtMs >= WINDOWS_SAVE_INTERVAL_MS) this.saveWindows(nowMs, lastVerdict);
    if (nowMs - this.#timelineSavedAtMs >= TIMELINE_SAVE_INTERVAL_MS) this.saveTimeline(nowMs);
  }

  /** The per-minute label history, loaded from storage on first use. */
  labelHistory(): LabelHistory {
    if (this.#labelsCache !== null) return this.#labelsCache;
    const stored = this.#store.labelHistory();
    try {
      this.#labelsCache = stored === null ? new LabelHistory() : LabelHistory.fromJSON(stored);
    } catch (err) {
      console.error(`controller ${this.#options.deployment()}: stored label history unreadable; starting empty`, err);
      this.#labelsCache = new LabelHistory();
    }
    return this.#labelsCache;
  }

  /** The metric windows, loaded from storage on first use (sized to the slow window). */
  windows(): MetricWindows {
    if (this.#windowsCache !== null) return this.#windowsCache;
    const capacity = this.#options.capacitySeconds();
    const stored = this.#store.windows();
    try {
      this.#windowsCache = stored === null ? new MetricWindows(capacity) : MetricWindows.fromJSON(stored, capacity);
    } catch (err) {
      console.error(`controller ${this.#options.deployment()}: stored metric windows unreadable; starting empty`, err);
      this.#windowsCache = new MetricWindows(capacity);
    }
    return this.#windowsCache;
  }

  /** Saves the windows with the last verdict and the relay registry, when any has something to save. */
  saveWindows(nowMs: number, lastVerdict: VerdictRecord | null): void {
    if (!this.#windowsDirty && lastVerdict === null && !this.#relaysDirty) return;
    this.#store.saveWindows(this.windows().toJSON(), lastVerdict, this.#relaysDirty ? this.relays().toJSON() : null);
    this.#windowsDirty = false;
    this.#relaysDirty = false;
    this.#windowsSavedAtMs = nowMs;
  }

  /** The relay registry, loaded from storage on first use. */
  relays(): RelayRegistry {
    if (this.#relaysCache !== null) return this.#relaysCache;
    const stored = this.#store.relays();
    this.#relaysCache = stored === null ? new RelayRegistry() : RelayRegistry.fromJSON(stored);
    return this.#relaysCache;
  }

  /**
   * Takes a relay's forward into the registry (relay-registry.ts accept):
   * answers the batches not taken before, which the caller must count, and
   * the answer's schedule. The registry is saved with the next windows save.
   */
  acceptForward<B extends { seq: number }>(
    forward: Omit<RelayForward, "batches"> & { batches: readonly B[] },
    nowMs: number,
    schedule: { earlyErrorRate: number; floorMs: number },
  ): { fresh: B[]; answer: Omit<ForwardAnswer, "state"> } {
    this.#relaysDirty = true;
    return this.relays().accept(forward, nowMs, schedule.earlyErrorRate, schedule.floorMs);
  }

  /** The dashboard's timeline, loaded from storage on first use. */
  timeline(): Timeline {
    if (this.#timelineCache !== null) return this.#timelineCache;
    const stored = this.#store.timeline();
    try {
      this.#timelineCache = stored === null ? new Timeline() : Timeline.fromJSON(stored);
    } catch (err) {
      console.error(`controller ${this.#options.deployment()}: stored timeline unreadable; starting empty`, err);
      this.#timelineCache = new Timeline();
    }
    return this.#timelineCache;
  }

  /** Saves the timeline and the label history, each if it changed. */
  saveTimeline(nowMs: number): void {
    if (!this.#timelineDirty && !this.#labelsDirty) return;
    if (this.#labelsDirty) this.#store.saveLabelHistory(this.labelHistory().toJSON());
    if (this.#timelineDirty) this.#store.saveTimeline(this.timeline().toJSON());
    this.#labelsDirty = false;
    this.#timelineDirty = false;
    this.#timelineSavedAtMs = nowMs;
  }

  /** The second of the last flip or rollback: windows count nothing before it. */
  sinceSecond(): number | null {
    if (this.#sinceCache === undefined) {
      const at = this.#store.lastChangeAtMs();
      this.#sinceCache = at === null ? null : Math.floor(at / 1000);
    }
    return this.#sinceCache;
  }

  /** Forgets the cached change second after a committed flip or rollback. */
  cutAtChange(): void {
    this.#sinceCache = undefined;
  }
}
