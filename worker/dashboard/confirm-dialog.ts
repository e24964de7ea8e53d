/**
 * The Flip / Rollback dialog: says what will happen, asks for a reason (it
 * goes into the history), and sends the epoch the operator was looking at as
 * `expectedEpoch`, so a change made meanwhile is refused (409) and the
 * API's message is shown in the dialog. Opens only for an action the API
 * would accept (status-rules.ts).
 */
import type { FlipBody, RollbackBody } from "../../contract/admin.js";
import type { Color } from "../../contract/colors.js";
import { CommandAnswer } from "../../contract/history.js";
import type { AdminStatus } from "../../contract/status.js";
import { api, ApiError } from "./api.js";
import { $, element } from "./dom.js";
import { refusals } from "./status-rules.js";

/** What the dialog needs from the page. */
export interface ConfirmHooks {
  /** The status on screen, or null before the first one. */
  status(): AdminStatus | null;
  /** Refreshes the page now. */
  refresh(): void;
  /** Forgets the token and shows the prompt with `message`. */
  signOut(message: string): void;
}

/** The change the open dialog asks about. */
interface PendingAction {
  action: "flip" | "rollback";
  to: Color;
  expectedEpoch: number;
}

let pending: PendingAction | null = null;

/** Sends the change: POST /admin/flip or /admin/rollback with the reason and the epoch seen. */
function send(a: PendingAction, reason: string): Promise<CommandAnswer> {
  if (a.action === "flip") {
    const body: FlipBody = { to: a.to, reason, expectedEpoch: a.expectedEpoch };
    return api("POST", "/admin/flip", CommandAnswer, body);
  }
  const body: RollbackBody = { reason, expectedEpoch: a.expectedEpoch };
  return api("POST", "/admin/rollback", CommandAnswer, body);
}

function dialog(): HTMLDialogElement {
  return element("confirm", HTMLDialogElement);
}

/** Opens the dialog for `action` towards the standby, if the API would accept it now. */
export function openConfirm(hooks: ConfirmHooks, action: PendingAction["action"]): void {
  const s = hooks.status();
  if (!s || refusals(s)[action] !== null) return;
  // The epoch the operator saw: the change is refused (409) if anything moved since.
  pending = { action, to: s.standby, expectedEpoch: s.epoch };
  const flip = action === "flip";
  $("confirm-title").textContent = flip ? `Flip to ${s.standby}?` : `Roll back to ${s.standby}?`;
  $("confirm-text").textContent =
    (flip
      ? `Production traffic moves from ${s.active} to ${s.standby}, which then bakes for ${s.policy.bakeSeconds} s under automatic rollback.`
      : `Production traffic moves from ${s.active} back to ${s.standby} now (phase rolled back).`) + ` Only if the epoch is still ${s.epoch}.`;
  const ok = element("confirm-ok", HTMLButtonElement);
  ok.textContent = flip ? `Flip to ${s.standby}` : `Roll back to ${s.standby}`;
  ok.className = flip ? "" : "danger";
  ok.disabled = false;
  const reason = element("confirm-reason", HTMLTextAreaElement);
  reason.value = "";
  $("confirm-error").textContent = "";
  dialog().showModal();
  reason.focus();
}

/** Closes the dialog without acting. */
export function cancelConfirm(): void {
  pending = null;
  dialog().close();
}

/** Closes the dialog if it is open (signing out). */
export function closeConfirm(): void {
  if (dialog().open) dialog().close();
}

/** The form's submit: sends the change with the reason; shows the refusal, or closes and refreshes. */
export async function submitConfirm(hooks: ConfirmHooks, event: Event): Promise<void> {
  event.preventDefault();
  const a = pending;
  if (!a) return;
  const error = $("confirm-error");
  const reason = element("confirm-reason", HTMLTextAreaElement).value.trim();
  if (!reason) {
    error.textContent = "Give a reason: it goes into the history.";
    return;
  }
  const ok = element("confirm-ok", HTMLButtonElement);
  ok.disabled = true;
  error.textContent = "";
  try {
    await send(a, reason);
    pending = null;
    dialog().close();
    hooks.refresh();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return hooks.signOut(err.message);
    error.textContent = (err instanceof ApiError && err.status ? `Refused (${err.status}): ` : "") + (err instanceof Error ? err.message : String(err));
    ok.disabled = false;
    // Refused because something moved: show what it moved to behind the dialog.
    if (err instanceof ApiError && err.status === 409) hooks.refresh();
  }
}
