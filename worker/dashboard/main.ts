/**
 * The operator dashboard's browser code (bundled into /admin/app.js): the
 * token prompt (the token lives in sessionStorage only and travels only as a
 * bearer header), a refresh of status, timeline and history every 2 s, and
 * the wiring of the page's controls. Everything is rendered with
 * textContent, never HTML from data. A 401 at any point forgets the token
 * and shows the prompt with the API's message, clearing every figure shown.
 */
import { HistoryAnswer } from "../../contract/history.js";
import { AdminStatus } from "../../contract/status.js";
import { TimelineView } from "../../contract/timeline.js";
import { api, ApiError } from "./api.js";
import { cancelConfirm, closeConfirm, openConfirm, submitConfirm, type ConfirmHooks } from "./confirm-dialog.js";
import { $, element } from "./dom.js";
import { renderHistory } from "./history-table.js";
import { renderShadow } from "./shadow-panel.js";
import { bakeText, renderStatus } from "./status-view.js";
import { forgetToken, storedToken, storeToken } from "./token.js";
import { renderLabelCharts } from "./label-charts.js";
import { renderCharts } from "./traffic-charts.js";

const REFRESH_MS = 2000;
const HISTORY_ROWS = 20;

/** What the page holds between refreshes. */
interface PageState {
  status: AdminStatus | null;
  /** When `status` was fetched (ms), for the bake countdown. */
  fetchedAt: number;
  timeline: TimelineView | null;
  timer: ReturnType<typeof setTimeout> | undefined;
  inFlight: boolean;
  /** A refresh was asked for while one was in flight: run another right after it. */
  again: boolean;
}

const ui: PageState = { status: null, fetchedAt: 0, timeline: null, timer: undefined, inFlight: false, again: false };

const hooks: ConfirmHooks = {
  status: () => ui.status,
  refresh: () => void refresh(),
  signOut,
};

// ── sign-in ────────────────────────────────────────────────────────────

function showLogin(message: string): void {
  $("dash").hidden = true;
  $("signout").hidden = true;
  $("login").hidden = false;
  $("deployment").textContent = "";
  $("conn").textContent = "";
  $("login-error").textContent = message;
  clearData();
  $("token").focus();
}

function signOut(message: string): void {
  forgetToken();
  clearTimeout(ui.timer);
  ui.timer = undefined;
  closeConfirm();
  showLogin(message);
}

/** Forgets everything rendered, so no admin data stays on the page without a token. */
function clearData(): void {
  ui.status = null;
  ui.timeline = null;
  for (const id of ["active", "phase", "epoch", "bake", "armed", "verdict", "reason", "flip", "rollback", "actions-note"]) $(id).textContent = "";
  for (const id of ["color-blue", "color-green", "charts"]) $(id).replaceChildren();
  renderShadow($("shadow"), null);
  element("history", HTMLTableElement).tBodies[0]?.replaceChildren();
}

// ── refresh ────────────────────────────────────────────────────────────

function schedule(delayMs: number): void {
  clearTimeout(ui.timer);
  ui.timer = setTimeout(() => void refresh(), delayMs);
}

function drawCharts(): void {
  if (ui.timeline && ui.status) renderCharts($("charts"), ui.timeline, ui.status);
}

async function refresh(): Promise<void> {
  if (!storedToken()) return showLogin("");
  if (ui.inFlight) {
    ui.again = true;
    return;
  }
  if (document.hidden) return schedule(REFRESH_MS);
  ui.inFlight = true;
  try {
    const minutes = element("minutes", HTMLSelectElement).value;
    const [status, timeline, history] = await Promise.all([
      api("GET", "/admin/status", AdminStatus),
      api("GET", `/admin/timeline?minutes=${encodeURIComponent(minutes)}`, TimelineView),
      api("GET", `/admin/history?limit=${HISTORY_ROWS}`, HistoryAnswer),
    ]);
    if (!storedToken()) return;
    ui.status = status;
    ui.timeline = timeline;
    ui.fetchedAt = Date.now();
    $("login").hidden = true;
    $("dash").hidden = false;
    $("signout").hidden = false;
    renderStatus(status, ui.fetchedAt);
    drawCharts();
    renderLabelCharts($("labels"), status);
    renderShadow($("shadow"), status.shadow);
    renderHistory(element("history", HTMLTableElement), history.entries);
    const conn = $("conn");
    conn.textContent = `updated ${new Date().toLocaleTimeString()}`;
    conn.className = "conn";
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return signOut(err.message);
    const conn = $("conn");
    conn.textContent = `refresh failed: ${err instanceof Error ? err.message : String(err)} (retrying)`;
    conn.className = "conn bad";
  } finally {
    ui.inFlight = false;
    if (storedToken()) schedule(ui.again ? 0 : REFRESH_MS);
    ui.again = false;
  }
}

// ── wiring ─────────────────────────────────────────────────────────────

function start(): void {
  element("login-form", HTMLFormElement).addEventListener("submit", (event) => {
    event.preventDefault();
    const input = element("token", HTMLInputElement);
    const token = input.value.trim();
    input.value = "";
    if (!token) {
      $("login-error").textContent = "Enter the admin token.";
      return;
    }
    storeToken(token);
    $("login-error").textContent = "";
    $("conn").textContent = "checking the token…";
    void refresh();
  });
  $("signout").addEventListener("click", () => signOut("Signed out."));
  $("flip").addEventListener("click", () => openConfirm(hooks, "flip"));
  $("rollback").addEventListener("click", () => openConfirm(hooks, "rollback"));
  element("confirm-form", HTMLFormElement).addEventListener("submit", (event) => void submitConfirm(hooks, event));
  $("confirm-cancel").addEventListener("click", cancelConfirm);
  $("minutes").addEventListener("change", () => void refresh());
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && storedToken()) void refresh();
  });
  window.addEventListener("resize", drawCharts);
  // The bake countdown ticks between refreshes.
  setInterval(() => {
    if (ui.status && !$("dash").hidden) $("bake").textContent = bakeText(ui.status.bake, ui.fetchedAt, Date.now());
  }, 1000);
  if (storedToken()) {
    $("login").hidden = true;
    $("conn").textContent = "loading…";
    void refresh();
  } else {
    showLogin("");
  }
}

start();
