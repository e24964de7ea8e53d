/**
 * The dashboard's browser code (served inside /admin/app.js): the token
 * prompt (the token lives in sessionStorage only and travels only as a
 * bearer header), a refresh of status, timeline and history every 2 s,
 * rendering with textContent only (never innerHTML with data), and the
 * Flip / Rollback dialog that sends expectedEpoch and shows the API's error;
 * only the actions the API would accept are offered (status-rules-script.ts).
 * A 401 at any point forgets the token and shows the prompt with the API's
 * message. Plain JavaScript in a string (no build step): no template literals.
 */

/** The application code; needs `drawChart` (chart-script.ts), `refusals` and `verdictLine` (status-rules-script.ts) in the same scope. */
export const APP_JS = String.raw`
var TOKEN_KEY = "bluegreen.adminToken";
var REFRESH_MS = 2000;
var HISTORY_ROWS = 20;
var ACTOR = "dashboard";
var ui = { status: null, fetchedAt: 0, timeline: null, timer: null, inFlight: false, again: false, action: null };

function $(id) { return document.getElementById(id); }

function el(tag, className, text) {
  var node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function storedToken() {
  try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
}
function storeToken(token) {
  try { sessionStorage.setItem(TOKEN_KEY, token); } catch (e) { /* private mode: the prompt comes back */ }
}
function forgetToken() {
  try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* nothing stored */ }
}

function ApiError(status, code, message) {
  this.status = status;
  this.code = code;
  this.message = message;
}

/** Calls the admin API with the bearer token; throws ApiError with the error envelope's message. */
async function api(method, path, body) {
  var token = storedToken();
  if (!token) throw new ApiError(401, "unauthorized", "Enter the admin token.");
  var headers = { authorization: "Bearer " + token, accept: "application/json" };
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    headers["x-bluegreen-actor"] = ACTOR;
  }
  var res;
  try {
    res = await fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer" });
  } catch (e) {
    throw new ApiError(0, "unreachable", "The router could not be reached (" + (e && e.message ? e.message : "network error") + ").");
  }
  var json = null;
  try { json = await res.json(); } catch (e) { json = null; }
  if (!res.ok) {
    var err = json && json.error ? json.error : {};
    throw new ApiError(res.status, err.code || "http_" + res.status, err.message || "HTTP " + res.status);
  }
  return json;
}

// ── sign-in ────────────────────────────────────────────────────────────

function showLogin(message) {
  $("dash").hidden = true;
  $("signout").hidden = true;
  $("login").hidden = false;
  $("deployment").textContent = "";
  $("conn").textContent = "";
  $("login-error").textContent = message || "";
  clearData();
  $("token").focus();
}

function signOut(message) {
  forgetToken();
  clearTimeout(ui.timer);
  ui.timer = null;
  if ($("confirm").open) $("confirm").close();
  showLogin(message);
}

/** Forgets everything rendered, so no admin data stays on the page without a token. */
function clearData() {
  ui.status = null;
  ui.timeline = null;
  ["active", "phase", "epoch", "bake", "armed", "verdict", "reason", "flip", "rollback", "actions-note"].forEach(function (id) { $(id).textContent = ""; });
  ["color-blue", "color-green", "charts"].forEach(function (id) { $(id).replaceChildren(); });
  $("history").tBodies[0].replaceChildren();
}

// ── refresh ────────────────────────────────────────────────────────────

function schedule(ms) {
  clearTimeout(ui.timer);
  ui.timer = setTimeout(refresh, ms);
}

async function refresh() {
  if (!storedToken()) return showLogin("");
  if (ui.inFlight) { ui.again = true; return; }
  if (document.hidden) return schedule(REFRESH_MS);
  ui.inFlight = true;
  try {
    var minutes = $("minutes").value;
    var results = await Promise.all([
      api("GET", "/admin/status"),
      api("GET", "/admin/timeline?minutes=" + encodeURIComponent(minutes)),
      api("GET", "/admin/history?limit=" + HISTORY_ROWS),
    ]);
    if (!storedToken()) return;
    ui.status = results[0];
    ui.timeline = results[1];
    ui.fetchedAt = Date.now();
    $("login").hidden = true;
    $("dash").hidden = false;
    $("signout").hidden = false;
    renderStatus(results[0]);
    renderCharts();
    renderHistory(results[2].entries);
    $("conn").textContent = "updated " + new Date().toLocaleTimeString();
    $("conn").className = "conn";
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return signOut(e.message);
    $("conn").textContent = "refresh failed: " + (e && e.message ? e.message : String(e)) + " (retrying)";
    $("conn").className = "conn bad";
  } finally {
    ui.inFlight = false;
    if (storedToken()) schedule(ui.again ? 0 : REFRESH_MS);
    ui.again = false;
  }
}

// ── rendering ──────────────────────────────────────────────────────────

function pct(x) { return x === null || x === undefined ? "–" : (x * 100).toFixed(x < 0.1 ? 2 : 1) + "%"; }
function ms(x) { return x === null || x === undefined ? "–" : (x < 10 ? x.toFixed(1) : Math.round(x)) + " ms"; }
function when(iso) { return iso ? new Date(iso).toLocaleTimeString() : "–"; }
function short(digest) { return digest ? (digest.length > 19 ? digest.slice(0, 19) + "…" : digest) : "–"; }

function bakeText() {
  var bake = ui.status && ui.status.bake;
  if (!bake) return "–";
  var left = Math.max(0, Math.round(bake.remainingSeconds - (Date.now() - ui.fetchedAt) / 1000));
  return Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0") + " left";
}

function renderStatus(s) {
  $("deployment").textContent = s.deployment;
  $("active").textContent = s.active;
  $("active").className = "pill " + s.active;
  $("phase").textContent = s.phase.replace("_", " ");
  $("phase").className = "value phase-" + s.phase;
  $("epoch").textContent = s.epoch;
  $("bake").textContent = bakeText();
  $("armed").textContent = s.autoRollbackArmed ? "armed" : "disarmed";
  var verdict = verdictLine(s);
  $("verdict").textContent = verdict.text;
  $("verdict").className = "verdict " + verdict.verdict + (verdict.current ? "" : " old");
  $("reason").textContent = "Last change " + when(s.updatedAt) + ": " + s.reason;
  // Offer only what the API would accept; say why an action is missing.
  var refused = refusals(s);
  $("flip").textContent = "Flip to " + s.standby + "…";
  $("flip").hidden = refused.flip !== null;
  $("rollback").textContent = "Roll back to " + s.standby + "…";
  $("rollback").hidden = refused.rollback !== null;
  var notes = [];
  if (refused.flip !== null) notes.push("No flip: " + refused.flip + ".");
  if (refused.rollback !== null) notes.push("No rollback: " + refused.rollback + ".");
  $("actions-note").textContent = notes.join(" ");
  ["blue", "green"].forEach(function (c) { renderColor($("color-" + c), c, s.colors[c], s.policy); });
}

function addFact(dl, term, value, className) {
  dl.appendChild(el("dt", "", term));
  var dd = el("dd", className || "", value);
  dl.appendChild(dd);
  return dd;
}

function windowText(w) {
  if (!w) return "–";
  var seconds = Math.max(0, w.toSecond - w.fromSecond + 1);
  return w.requests + " req in " + seconds + " s · errors " + pct(w.errorRate) + " · p99 " + ms(w.p99Ms);
}

function renderColor(card, color, c, policy) {
  var h = el("h2", "", color);
  h.appendChild(el("span", "pill " + (c.role === "active" ? color : ""), c.role));
  var dl = el("dl");
  addFact(dl, "Health", c.health.status, "health-" + c.health.status);
  addFact(dl, "Version", c.version || "–");
  addFact(dl, "Digest", short(c.health.digest)).title = c.health.digest || "";
  addFact(dl, "Last probe", c.health.checkedAt ? when(c.health.checkedAt) + (c.health.latencyMs !== null ? " (" + ms(c.health.latencyMs) + ")" : "") : "not yet");
  if (c.health.error) addFact(dl, "Probe error", c.health.error, "health-unhealthy");
  addFact(dl, "Fast window", windowText(c.metrics.fast));
  addFact(dl, "Slow window", windowText(c.metrics.slow));
  var probes = {};
  (c.health.origins || []).forEach(function (o) { probes[o.url] = o; });
  var list = el("ul", "origins");
  c.origins.forEach(function (o) {
    var p = probes[o.url];
    var li = el("li");
    li.appendChild(el("span", p ? (p.ok ? "health-healthy" : "health-unhealthy") : "health-unknown", p ? (p.ok ? "● " : "✖ ") : "○ "));
    li.appendChild(document.createTextNode(o.url));
    var facts = [];
    if (p) facts.push(p.status === null ? "no answer" : "HTTP " + p.status, ms(p.latencyMs));
    if (p && p.version) facts.push(p.version);
    if (p && p.error) facts.push(p.error);
    if (o.coolingDown) facts.push("cooling down");
    if (facts.length) li.appendChild(el("span", "muted", " — " + facts.join(", ")));
    list.appendChild(li);
  });
  card.replaceChildren(h, dl, list);
}

function markerOf(m) {
  var kind = m.action === "rollback" ? "rollback" : "flip";
  var label = (m.kind === "auto" ? "auto " : "") + m.action + " → " + m.to;
  return { t: Date.parse(m.at), kind: kind, label: label, title: label + " (epoch " + m.epoch + ", " + when(m.at) + ", by " + m.actor + "): " + m.reason };
}

function renderCharts() {
  var t = ui.timeline;
  var s = ui.status;
  if (!t || !s) return;
  var fromMs = Date.parse(t.from);
  var toMs = Date.parse(t.to);
  var half = (t.bucketSeconds * 1000) / 2;
  var markers = t.markers.map(markerOf);
  // Requests/s leaves out the current bucket until it is complete (its last second is still being
  // reported, so its rate reads low); a ratio (error rate, p99) is fair on a part of a bucket.
  var series = function (pick, completeOnly) {
    return ["blue", "green"].map(function (c) {
      var points = t.colors[c].filter(function (p) { return !completeOnly || p.seconds >= t.bucketSeconds; });
      return { color: c, points: points.map(function (p) { return { t: Math.min(toMs, Date.parse(p.at) + half), v: pick(p) }; }) };
    });
  };
  var specs = [
    { title: "Requests/s", format: function (v) { return v >= 10 ? String(Math.round(v)) : v.toFixed(1); }, threshold: null, series: series(function (p) { return p.rps; }, true), labels: true },
    { title: "Error rate", format: function (v) { return (v * 100).toFixed(v >= 0.1 ? 0 : 1) + "%"; }, threshold: s.policy.maxErrorRate, series: series(function (p) { return p.errorRate; }, false), labels: false },
    { title: "p99 latency", format: function (v) { return v >= 10 ? Math.round(v) + " ms" : v.toFixed(1) + " ms"; }, threshold: s.policy.maxP99Ms, series: series(function (p) { return p.p99Ms; }, false), labels: false },
  ];
  var box = $("charts");
  while (box.children.length < specs.length) box.appendChild(el("div", "chart"));
  specs.forEach(function (spec, i) {
    spec.fromMs = fromMs;
    spec.toMs = toMs;
    spec.markers = markers;
    drawChart(box.children[i], spec);
  });
}

function renderHistory(entries) {
  var body = $("history").tBodies[0];
  var rows = entries.map(function (e) {
    var tr = el("tr", e.action + " " + e.kind);
    var whenCell = el("td", "when", when(e.at));
    whenCell.title = e.at;
    var change = el("td", "change", e.action + " " + e.from + " → " + e.to);
    if (e.kind === "auto") change.appendChild(el("span", "badge auto", "auto"));
    tr.append(whenCell, change, el("td", "", e.epoch), el("td", "", e.actor), el("td", "reason", e.reason));
    // Labels for the phone layout, where the header row is hidden.
    ["When", "Change", "Epoch", "By", "Reason"].forEach(function (label, i) { tr.children[i].setAttribute("data-label", label); });
    return tr;
  });
  if (rows.length === 0) {
    var empty = el("tr");
    var cell = el("td", "muted", "No flips or rollbacks yet.");
    cell.colSpan = 5;
    empty.appendChild(cell);
    rows.push(empty);
  }
  body.replaceChildren.apply(body, rows);
}

// ── flip / rollback ────────────────────────────────────────────────────

function openConfirm(action) {
  var s = ui.status;
  if (!s || refusals(s)[action] !== null) return;
  // The epoch the operator saw: the change is refused (409) if anything moved since.
  ui.action = { action: action, to: s.standby, from: s.active, expectedEpoch: s.epoch };
  var flip = action === "flip";
  $("confirm-title").textContent = flip ? "Flip to " + s.standby + "?" : "Roll back to " + s.standby + "?";
  $("confirm-text").textContent = (flip
    ? "Production traffic moves from " + s.active + " to " + s.standby + ", which then bakes for " + s.policy.bakeSeconds + " s under automatic rollback."
    : "Production traffic moves from " + s.active + " back to " + s.standby + " now (phase rolled back).")
    + " Only if the epoch is still " + s.epoch + ".";
  $("confirm-ok").textContent = flip ? "Flip to " + s.standby : "Roll back to " + s.standby;
  $("confirm-ok").className = flip ? "" : "danger";
  $("confirm-ok").disabled = false;
  $("confirm-reason").value = "";
  $("confirm-error").textContent = "";
  $("confirm").showModal();
  $("confirm-reason").focus();
}

async function submitConfirm(event) {
  event.preventDefault();
  var a = ui.action;
  if (!a) return;
  var reason = $("confirm-reason").value.trim();
  if (!reason) { $("confirm-error").textContent = "Give a reason: it goes into the history."; return; }
  $("confirm-ok").disabled = true;
  $("confirm-error").textContent = "";
  try {
    if (a.action === "flip") await api("POST", "/admin/flip", { to: a.to, reason: reason, expectedEpoch: a.expectedEpoch });
    else await api("POST", "/admin/rollback", { reason: reason, expectedEpoch: a.expectedEpoch });
    ui.action = null;
    $("confirm").close();
    refresh();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return signOut(e.message);
    $("confirm-error").textContent = (e instanceof ApiError && e.status ? "Refused (" + e.status + "): " : "") + (e && e.message ? e.message : String(e));
    $("confirm-ok").disabled = false;
    // Refused because something moved: show what it moved to behind the dialog.
    if (e instanceof ApiError && e.status === 409) refresh();
  }
}

// ── wiring ─────────────────────────────────────────────────────────────

function start() {
  $("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var token = $("token").value.trim();
    $("token").value = "";
    if (!token) { $("login-error").textContent = "Enter the admin token."; return; }
    storeToken(token);
    $("login-error").textContent = "";
    $("conn").textContent = "checking the token…";
    refresh();
  });
  $("signout").addEventListener("click", function () { signOut("Signed out."); });
  $("flip").addEventListener("click", function () { openConfirm("flip"); });
  $("rollback").addEventListener("click", function () { openConfirm("rollback"); });
  $("confirm-form").addEventListener("submit", submitConfirm);
  $("confirm-cancel").addEventListener("click", function () { ui.action = null; $("confirm").close(); });
  $("minutes").addEventListener("change", function () { refresh(); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden && storedToken()) refresh(); });
  window.addEventListener("resize", function () { renderCharts(); });
  // The bake countdown ticks between refreshes.
  setInterval(function () { if (ui.status && !$("dash").hidden) $("bake").textContent = bakeText(); }, 1000);
  if (storedToken()) {
    $("login").hidden = true;
    $("conn").textContent = "loading…";
    refresh();
  } else {
    showLogin("");
  }
}

start();
`;
