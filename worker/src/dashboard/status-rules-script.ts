/**
 * The dashboard's reading of GET /admin/status (served inside /admin/app.js,
 * before the app): which actions the admin API would accept now, and how to
 * label the last verdict. Pure functions of the status answer, so
 * test/dashboard/status-rules.test.ts runs this very code. Plain JavaScript
 * in a string, like app-script.ts. No imports: the node-side test loads
 * this module, and routing-state.ts needs the Workers types.
 */

/** The rules' code: `refusals(status)` and `verdictLine(status)`. */
export const STATUS_RULES_JS = String.raw`
// INITIAL_EPOCH of worker/src/routing-state.ts (test/worker/dashboard/status-rules.test.ts checks it).
var INITIAL_EPOCH = 1;

/**
 * Why the admin API would refuse each action now, or null where it would
 * accept it: the rules of planFlip and planRollback
 * (worker/src/controller/transitions.ts) without "force". A rollback needs a
 * change to undo (not the first epoch, not phase rolled_back); both need
 * their target, the standby, not known to be unhealthy.
 */
function refusals(s) {
  var target = s.colors[s.standby];
  var unhealthy = target && target.health.status === "unhealthy"
    ? s.standby + "'s last health probe failed" + (target.health.error ? " (" + target.health.error + ")" : "")
    : null;
  var rollback = s.phase === "rolled_back" ? "already rolled back to " + s.active + "; flip to move traffic again"
    : s.epoch === INITIAL_EPOCH ? "nothing to roll back: " + s.active + " has been active since the deployment began"
    : unhealthy;
  return { flip: unhealthy, rollback: rollback };
}

/**
 * The verdict line, labelled with the colour and epoch it judged. Right
 * after a flip or rollback the last verdict is still the previous colour's
 * until the controller judges the new one: it is shown as that, not as a
 * verdict on what is active now.
 */
function verdictLine(s) {
  var v = s.verdict;
  if (!v) return { text: "No verdict yet.", verdict: "", current: false };
  var judged = v.verdict + " — " + v.reason;
  if (v.epoch === s.epoch) return { text: "Verdict on " + v.color + ": " + judged, verdict: v.verdict, current: true };
  return {
    text: "No verdict on " + s.active + " yet (epoch " + s.epoch + "). The last one, on " + v.color + " at epoch " + v.epoch + ": " + judged,
    verdict: v.verdict,
    current: false,
  };
}
`;
