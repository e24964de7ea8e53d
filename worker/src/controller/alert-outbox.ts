/**
 * The controller's alert outbox: creating alerts (or logging them when no
 * webhook is configured) and posting the stored outbox in order, one run at
 * a time. The texts, the outbox rules and the POST itself are in alerts.ts.
 */
import { newAlert, postAlert, pruneOutbox, redact, type Alert } from "./alerts.js";
import type { StateStore } from "./state-store.js";

/** What AlertOutbox reads lazily from its Durable Object. */
export interface AlertOutboxOptions {
  /** The deployment's name, for logs. */
  deployment: () => string;
  /** ALERT_WEBHOOK_URL, or null when none is set. */
  webhookUrl: () => string | null;
}

/** Creates alerts and delivers the outbox of one controller. */
export class AlertOutbox {
  readonly #store: StateStore;
  readonly #options: AlertOutboxOptions;
  #run: Promise<void> = Promise.resolve();

  constructor(store: StateStore, options: AlertOutboxOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** A new alert, or undefined (logged instead) when no webhook is configured. */
  create(kind: Alert["kind"], text: string, nowMs: number): Alert | undefined {
    if (this.#options.webhookUrl() === null) {
      console.log(`controller ${this.#options.deployment()}: alert (no ALERT_WEBHOOK_URL set): ${text}`);
      return undefined;
    }
    return newAlert(kind, text, nowMs);
  }

  /** Posts the outbox in order, one run at a time; stops at the first failure (the next alarm retries). */
  deliver(): Promise<void> {
    const run = this.#run.then(() => this.#deliverOutbox());
    this.#run = run.catch(() => undefined);
    return run;
  }

  async #deliverOutbox(): Promise<void> {
    const url = this.#options.webhookUrl();
    const { kept, dropped } = pruneOutbox(this.#store.outbox(), Date.now());
    if (dropped.length > 0) {
      this.#store.saveOutbox(kept);
      console.error(`controller ${this.#options.deployment()}: dropped ${dropped.length} undelivered alerts (too old or too many): ${dropped.map((a) => a.kind).join(", ")}`);
    }
    if (url === null) return;
    for (const alert of kept) {
      const result = await postAlert(url, alert.text);
      if (result.ok) {
        this.#store.settleAlert(alert.id, { delivered: true });
        continue;
      }
      this.#store.settleAlert(alert.id, { delivered: false, error: result.error, atMs: Date.now() });
      console.warn(`controller ${this.#options.deployment()}: alert webhook failed (${redact(result.error, url)}); ${kept.length} alert(s) wait for the next alarm`);
      return;
    }
  }
}
