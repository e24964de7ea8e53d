/** `bluegreen status`: the router's admin status, readable (or raw with --json). */
import { COLORS } from "../../../contract/colors.js";
import type { AdminStatus } from "../../../contract/status.js";
import { AdminClient } from "../admin-client.js";
import { requireAdminToken } from "../config.js";
import type { Context } from "../context.js";
import * as fmt from "../output/format.js";
import { colorTable, deploymentLine, driftPairs } from "../output/status-view.js";
import { renderPairs } from "../output/table.js";

/** An admin client from the config (usage error without a token). */
export function adminClient(ctx: Context, needFor?: string): AdminClient {
  return new AdminClient(ctx.config.routerUrl, requireAdminToken(ctx.config, needFor));
}

/** Key facts of a status as label/value pairs. */
export function statusPairs(status: AdminStatus, nowMs: number): Array<[string, string]> {
  const pairs: Array<[string, string]> = [["deployment", deploymentLine(status, nowMs)]];
  if (status.reason) pairs.push(["reason", status.reason]);
  pairs.push(["updated", fmt.when(status.updatedAt)]);
  const f = status.lastFlip;
  if (f) {
    pairs.push(["last change", `${fmt.when(f.at)} ${f.from} → ${f.to} (${f.kind} ${f.action}${f.actor ? ` by ${f.actor}` : ""})${f.reason ? `: ${f.reason}` : ""}`]);
  }
  const v = status.verdict;
  if (v) pairs.push(["verdict", `${v.verdict}${v.action === "rollback" ? " (rolled back)" : ""}${v.reason ? `: ${v.reason}` : ""}`]);
  // Why a colour's probe failed: a missing /health route names the origin contract's section.
  for (const c of COLORS) {
    const h = status.colors[c].health;
    if (h.status !== "healthy" && h.error) pairs.push([`${c} health`, `${h.status}: ${h.error}`]);
  }
  pairs.push(...driftPairs(status));
  const sh = status.shadow;
  if (sh) {
    const agreement = sh.agreement.rate === null ? "nothing compared" : `agreement ${fmt.pct(sh.agreement.rate, 1)} of ${fmt.count(sh.compared)}`;
    const when = sh.running ? `running until ${fmt.when(sh.endsAt)}` : `${sh.endedBy} ${fmt.when(sh.endedAt)}`;
    pairs.push(["shadow", `${sh.standby} at sample ${sh.sample}, ${when}: ${agreement}; ${sh.verdict.replaceAll("_", " ")} (\`bluegreen shadow status\`)`]);
  }
  pairs.push(["auto rollback", status.autoRollbackArmed ? "armed" : "disarmed until the next manual flip (one automatic flip per deployment)"]);
  const p = status.policy;
  const bits = [
    `error rate ≤ ${fmt.pct(p.maxErrorRate)}`,
    p.maxP99Ms !== null && `p99 ≤ ${fmt.ms(p.maxP99Ms)}`,
    `min ${p.minRequests} requests`,
    `windows ${p.fastWindowSeconds}s/${p.slowWindowSeconds}s`,
    `bake ${fmt.duration(p.bakeSeconds)}`,
    p.driftGuard ? `drift p < ${p.driftPValue}, TVD ≥ ${p.maxLabelShift}, baseline ${p.baselineMinutes} min ≥ ${p.minBaselinePredictions}` : "drift guard off",
  ].filter(Boolean);
  pairs.push(["policy", bits.join(", ")]);
  return pairs;
}

/** The `status` action. */
export async function statusCommand(ctx: Context): Promise<void> {
  const status = await adminClient(ctx).status();
  const now = Date.now();
  ctx.printer.document(status);
  ctx.printer.result(renderPairs(statusPairs(status, now)));
  ctx.printer.result("");
  ctx.printer.result(colorTable(ctx.printer, status));
}
