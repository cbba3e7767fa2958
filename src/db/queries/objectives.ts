import type { Actor } from '../../domain/access.js';
import { forbidden } from '../../domain/errors.js';
import type { ObjectiveMetric } from '../../domain/objective.js';
import { parsePeriod } from '../../domain/metrics/period.js';
import type { Database, Db } from '../client.js';
import { sql } from 'drizzle-orm';
import { teamMemberIds, type MetricFilter } from './metrics/filter.js';
import { conversionSql, winRateSql } from './metrics/leads.js';
import { portfolioSql } from './metrics/sales.js';
import { interactionsSql } from './metrics/activity.js';
import { npsSql } from './metrics/post-sale.js';
import { loadSegmentFilter } from './segments.js';

type ObjectiveRow = { workspaceId: string; userId: string | null; teamId: string | null; metric: ObjectiveMetric; periodStart: string; periodEnd: string; segmentId?: string | null };

/**
 * What an objective's metric measures so far, with the dashboard's own SQL (docs/metrics.md):
 * sales amount/count by sold date, leads won by close date, new leads by creation, done
 * interactions, NPS of the answers. A team objective counts its members' records.
 */
export async function objectiveActual(database: Database, o: ObjectiveRow, timeZone: string, now: Date): Promise<number | null> {
  const ownerIds = o.userId ? [o.userId] : await teamMemberIds(database, o.workspaceId, o.teamId!);
  // A segmented objective counts only its contacts' records (raw rows: rollups know no segments).
  const segment = o.segmentId ? await loadSegmentFilter(database, o.workspaceId, o.segmentId) : null;
  const f: MetricFilter = { workspaceId: o.workspaceId, period: parsePeriod(o.periodStart, o.periodEnd, timeZone), unit: 'month', ownerIds, sourceId: null, now, segment };
  switch (o.metric) {
    case 'sales_amount': return (await portfolioSql(database, f)).salesAmount;
    case 'sales_count': return (await portfolioSql(database, f)).salesCount;
    case 'leads_won': return (await winRateSql(database, f)).won;
    case 'new_leads': return (await conversionSql(database, f, 'total'))[0]?.created ?? 0;
    case 'activities': return (await interactionsSql(database, f)).reduce((s, r) => s + r.count, 0);
    case 'nps': return (await npsSql(database, f)).nps;
  }
}

const rowsOf = <T>(res: unknown) => (res as { rows: T[] }).rows;

/** A manager sets objectives for themselves, the members of the teams they manage, or those teams. */
export async function assertMayTarget(tx: Db, actor: Actor, target: { userId?: string | null; teamId?: string | null }): Promise<void> {
  if (actor.role === 'admin') return;
  if (actor.role === 'sales') throw forbidden('Only a manager or an admin can set objectives.');
  if (target.userId === actor.userId) return;
  const res = target.teamId
    ? await tx.execute(sql`SELECT 1 FROM team WHERE workspace_id = ${actor.workspaceId} AND id = ${target.teamId} AND manager_id = ${actor.userId}`)
    : await tx.execute(sql`SELECT 1 FROM app_user m JOIN team t ON t.workspace_id = m.workspace_id AND t.id = m.team_id
                            WHERE m.workspace_id = ${actor.workspaceId} AND m.id = ${target.userId ?? null} AND t.manager_id = ${actor.userId}`);
  if (rowsOf(res).length === 0) throw forbidden('A manager sets objectives for their own teams and their members.');
}
