/**
 * The dashboard's app shell (GET /admin): markup only, no data and no inline
 * script or style — /admin/app.css and /admin/app.js do the rest, so the
 * Content-Security-Policy can forbid everything inline. Every value the page
 * shows arrives later from the token-protected JSON API.
 */

/** The HTML of GET /admin. */
export const DASHBOARD_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>bluegreen — dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/admin/app.css">
<script src="/admin/app.js" defer></script>
</head>
<body>
<header class="bar">
  <h1>bluegreen <span id="deployment" class="muted"></span></h1>
  <span id="conn" class="conn" role="status" aria-live="polite"></span>
  <button id="signout" type="button" class="link" hidden>Sign out</button>
</header>

<section id="login" class="card login">
  <h2>Admin token</h2>
  <p class="muted">Paste the router's <code>ADMIN_TOKEN</code> (for <code>npm start</code>: from <code>.dev.vars</code>). It stays in this tab's session storage and is sent only as an <code>Authorization</code> header.</p>
  <form id="login-form" method="post" autocomplete="off">
    <label for="token">Token</label>
    <input id="token" name="token" type="password" autocomplete="off" spellcheck="false">
    <button type="submit">Open dashboard</button>
  </form>
  <p id="login-error" class="error" role="alert"></p>
</section>

<main id="dash" hidden>
  <section class="card summary" aria-label="Routing state">
    <div class="facts">
      <div><span class="label">Active</span><span id="active" class="pill"></span></div>
      <div><span class="label">Phase</span><span id="phase" class="value"></span></div>
      <div><span class="label">Epoch</span><span id="epoch" class="value"></span></div>
      <div><span class="label">Bake</span><span id="bake" class="value"></span></div>
      <div><span class="label">Auto rollback</span><span id="armed" class="value"></span></div>
    </div>
    <p id="verdict" class="verdict"></p>
    <p id="reason" class="muted"></p>
    <div class="actions">
      <button id="flip" type="button"></button>
      <button id="rollback" type="button" class="danger"></button>
    </div>
    <p id="actions-note" class="muted note"></p>
  </section>

  <section class="colors" aria-label="Colours">
    <article id="color-blue" class="card color blue"></article>
    <article id="color-green" class="card color green"></article>
  </section>

  <section class="card" aria-label="Traffic">
    <div class="chart-head">
      <h2>Traffic</h2>
      <span class="legend"><span class="swatch blue"></span>blue <span class="swatch green"></span>green <span class="swatch flip"></span>flip <span class="swatch rollback"></span>rollback</span>
      <label class="range">last <select id="minutes"><option value="2">2 min</option><option value="5" selected>5 min</option><option value="15">15 min</option></select></label>
    </div>
    <div id="charts" class="charts"></div>
  </section>

  <section class="card" aria-label="History">
    <h2>History</h2>
    <div class="table-wrap">
      <table id="history">
        <thead><tr><th>When</th><th>Change</th><th>Epoch</th><th>By</th><th>Reason</th></tr></thead>
        <tbody></tbody>
      </table>
    </div>
  </section>
</main>

<dialog id="confirm" aria-labelledby="confirm-title">
  <form id="confirm-form" method="dialog">
    <h2 id="confirm-title"></h2>
    <p id="confirm-text" class="muted"></p>
    <label for="confirm-reason">Reason</label>
    <textarea id="confirm-reason" rows="3" maxlength="500"></textarea>
    <p id="confirm-error" class="error" role="alert"></p>
    <div class="actions">
      <button id="confirm-cancel" type="button" class="secondary">Cancel</button>
      <button id="confirm-ok" type="submit"></button>
    </div>
  </form>
</dialog>
</body>
</html>
`;
