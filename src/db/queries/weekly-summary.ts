import { and, eq } from 'drizzle-orm';
import type { Database, Db } from '../client.js';
import { recordAudit } from '../audit.js';
import { mailOptOut } from '../schema.js';
import type { ObjectiveMetric } from '../../domain/objective.js';
import type { MetricFilter } from './metrics/filter.js';
import { num, Params } from './metrics/filter.js';
import { rollupWhere, useRollups } from './metrics/rollups.js';
import { portfolioSql } from './metrics/sales.js';

export type SummaryRecipient = {
  email: string; name: string; locale: string | null; role: 'admin' | 'manager' | 'sales'; teamId: string | null; isActive: boolean;
  workspaceName: string; workspaceLocale: string; timeZone: string; currency: string;
};

export async function findSummaryRecipient(d: Database, workspaceId: string, userId: string): Promise<SummaryRecipient | null> {
  const rows = await d.query<SummaryRecipient>(
    `SELECT u.email, u.name, u.locale, u.role, u.team_id AS "teamId", u.is_active AS "isActive", w.name AS "workspaceName",
            w.locale AS "workspaceLocale", w.time_zone AS "timeZone", w.currency
       FROM app_user u JOIN workspace w ON w.id = u.workspace_id
      WHERE u.workspace_id = $1 AND u.id = $2`, [workspaceId, userId]);
  return rows[0] ?? null;
}

/** Sales count and amount of the period: sale_daily when the rollups apply, else the raw rows. */
export async function salesTotalsSql(d: Database, f: MetricFilter): Promise<{ count: number; amount: number }> {
  if (!(await useRollups(d, f))) {
    const p = await portfolioSql(d, f);
    return { count: p.salesCount, amount: p.salesAmount };
  }
  const q = new Params();
  const [r] = await d.query<{ count: number; amount: string }>(
    `SELECT coalesce(sum(sales), 0)::int AS count, coalesce(sum(amount), 0) AS amount FROM sale_daily WHERE ${rollupWhere(f, q, {})}`, q.values);
  return { count: num(r?.count), amount: Math.round(num(r?.amount) * 100) / 100 };
}

export type SummaryObjective = {
  id: string; name: string; metric: ObjectiveMetric; target: number; periodStart: string; periodEnd: string;
  userId: string | null; teamId: string | null; workspaceId: string; segmentId: string | null;
};

/**
 * Sales objectives running on `day` that a recipient answers for: an admin every team's, a manager
 * their own and those of the teams they manage.
 */
export async function summaryObjectives(d: Database, workspaceId: string, userId: string, isAdmin: boolean, day: string): Promise<SummaryObjective[]> {
  const rows = await d.query<SummaryObjective & { target: string }>(
    `SELECT o.id, o.name, o.metric, o.target, to_char(o.period_start, 'YYYY-MM-DD') AS "periodStart", to_char(o.period_end, 'YYYY-MM-DD') AS "periodEnd",
            o.user_id AS "userId", o.team_id AS "teamId", o.workspace_id AS "workspaceId", o.segment_id AS "segmentId"
       FROM objective o
      WHERE o.workspace_id = $1 AND o.metric IN ('sales_amount', 'sales_count') AND o.period_start <= $3::date AND o.period_end >= $3::date
        AND (CASE WHEN $4::boolean THEN o.team_id IS NOT NULL
                  ELSE o.user_id = $2 OR o.team_id IN (SELECT t.id FROM team t WHERE t.workspace_id = $1 AND t.manager_id = $2) END)
      ORDER BY o.period_end, o.name, o.id`, [workspaceId, userId, day, isAdmin]);
  return rows.map((r) => ({ ...r, target: num(r.target) }));
}

/** Display names of users and sources by id (the summary shows names, the dashboard ids). */
export async function namesOf(d: Database, workspaceId: string, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await d.query<{ id: string; name: string }>(
    `SELECT id::text, name FROM app_user WHERE workspace_id = $1 AND id = ANY($2::uuid[])
     UNION ALL SELECT id::text, name FROM source WHERE workspace_id = $1 AND id = ANY($2::uuid[])`, [workspaceId, ids]);
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Whether the user asked not to get the weekly summary (settings or the email's unsubscribe link). */
export async function isWeeklySummaryOptedOut(d: Database, workspaceId: string, userId: string): Promise<boolean> {
  const rows = await d.query<{ one: number }>(
    `SELECT 1 AS one FROM mail_opt_out WHERE workspace_id = $1 AND user_id = $2 AND kind = 'weekly_summary'`, [workspaceId, userId]);
  return rows.length > 0;
}

/**
 * Turns the weekly summary off or back on for a user, with an auditEvent naming where it came from.
 * Answers whether anything changed (a second click on the same link changes nothing).
 */
export async function setWeeklySummaryOptOut(tx: Db, o: { workspaceId: string; userId: string; actorId: string | null; optedOut: boolean; via: 'settings' | 'email' }): Promise<boolean> {
  const key = and(eq(mailOptOut.workspaceId, o.workspaceId), eq(mailOptOut.userId, o.userId), eq(mailOptOut.kind, 'weekly_summary'));
  const changed = o.optedOut
    ? (await tx.insert(mailOptOut).values({ workspaceId: o.workspaceId, userId: o.userId, kind: 'weekly_summary' }).onConflictDoNothing().returning()).length > 0
    : (await tx.delete(mailOptOut).where(key).returning()).length > 0;
  if (changed) {
    await recordAudit(tx, {
      workspaceId: o.workspaceId, userId: o.actorId, entity: 'user', entityId: o.userId,
      action: o.optedOut ? 'weekly_summary_opt_out' : 'weekly_summary_opt_in', meta: { via: o.via },
    });
  }
  return changed;
}
