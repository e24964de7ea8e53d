/**
 * When a relay sets its alarm (relay-object.ts), decided apart from the
 * object so it can be tested in Node. The relay moves its alarm only sooner
 * (at most one storage write per forward), but never trusts an alarm time
 * that has passed: that alarm has fired, or the runtime dropped it, and a
 * relay that kept believing in it would never set another — its isolates'
 * last outcomes would then wait for their next sync.
 */

/**
 * The alarm time to set for a check wanted at `wantedAtMs`, given the alarm
 * this instance set last (`armedAtMs`, null: none), or null to leave the
 * alarm as it is. Whole milliseconds, at least 1 ms ahead: locally, an alarm
 * set from inside the alarm handler 0.05 ms ahead never fired, and the relay
 * (then still trusting it) kept its isolates' last outcomes unforwarded.
 */
export function alarmToSet(wantedAtMs: number | null, armedAtMs: number | null, nowMs: number): number | null {
  if (wantedAtMs === null) return null;
  const atMs = Math.max(Math.ceil(wantedAtMs), Math.floor(nowMs) + 1);
  if (armedAtMs !== null && armedAtMs > nowMs && armedAtMs <= atMs) return null;
  return atMs;
}
