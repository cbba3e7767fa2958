import { sql } from 'drizzle-orm';
import type { Database } from '../../client.js';
import { recordAudit } from '../../audit.js';
import type { MetricFilter } from './filter.js';
import { Params, periodDays } from './filter.js';
import { weekSpans } from '../../../domain/metrics/period.js';

/**
 * The daily rollups of migration 0014 (lead_daily, lead_funnel_daily, lead_closed_daily,
 * lead_open_summary, activity_daily, sale_daily, feedback_daily). Triggers keep them in the same
 * transaction as every write; this module rebuilds them and answers whether a query may read them.
 */

/** The rollups' "none" in key columns (no owner, no source…): the metrics answer "none". */
export const NONE_ID = '00000000-0000-0000-0000-000000000000';

/** SQL turning a rollup key column back into the metrics' key text ("none" for the nil uuid). */
export const keyText = (col: string) => `CASE WHEN ${col} = '${NONE_ID}' THEN 'none' ELSE ${col}::text END`;

export type RebuildResult = { workspaceId: string; seconds: number };

/**
 * Recomputes the rollups of one workspace (or all) from raw rows: after restoring a backup or loading
 * data with triggers disabled. One transaction per workspace, with an auditEvent.
 */
export async function rebuildMetricRollups(database: Database, workspaceId?: string): Promise<RebuildResult[]> {
  const ids = workspaceId ? [workspaceId] : (await database.query<{ id: string }>('SELECT id FROM workspace ORDER BY created_at, id')).map((r) => r.id);
  const out: RebuildResult[] = [];
  for (const id of ids) {
    const t0 = performance.now();
    await database.transaction(async (tx) => {
      await tx.execute(sql`SELECT metric_rollups_rebuild(${id}::uuid)`);
      await tx.execute(sql`SELECT dashboard_rollups_rebuild(${id}::uuid)`);
      await recordAudit(tx, { workspaceId: id, userId: null, entity: 'workspace', entityId: id, action: 'metrics_rebuild' });
    });
    out.push({ workspaceId: id, seconds: (performance.now() - t0) / 1000 });
  }
  return out;
}

/**
 * Rollups are bucketed by local days of the workspace's stored time zone. A period read in another
 * zone (the stored one is unusable and the API fell back to UTC) cannot use them.
 */
export async function rollupsMatch(database: Database, f: MetricFilter): Promise<boolean> {
  // metric_zone: the zone the rollup triggers bucket by (the stored one; 0025 keeps unknown zones out).
  const rows = await database.query<{ ok: boolean }>('SELECT metric_zone(time_zone) = $2 AS ok FROM workspace WHERE id = $1', [f.workspaceId, f.period.timeZone]);
  return rows[0]?.ok === true;
}

/** Day range and owner/source conditions on a rollup table (alias-free), as SQL. */
export function rollupWhere(f: MetricFilter, q: Params, o: { days?: boolean; ownerCol?: string; source?: boolean }): string {
  const parts = [`workspace_id = ${q.p(f.workspaceId)}`];
  if (o.days !== false) {
    const { fromDay, toDayExclusive } = periodDays(f);
    parts.push(`day >= ${q.p(fromDay)}::date`, `day < ${q.p(toDayExclusive)}::date`);
  }
  if (f.ownerIds) parts.push(`${o.ownerCol ?? 'owner_id'} = ANY(${q.p(f.ownerIds)}::uuid[])`);
  if (o.source && f.sourceId) parts.push(`source_id = ${q.p(f.sourceId)}`);
  return parts.join(' AND ');
}

/** Whether this query may read the rollups (resolved once per dashboard, else asked here). */
export async function useRollups(database: Database, f: MetricFilter): Promise<boolean> {
  if (f.segment) return false; // rollups cannot know which contacts a segment holds
  return f.rollups ?? rollupsMatch(database, f);
}

/** `YYYY-MM-DD` of the week/month/quarter start of a rollup day, like bucketSql on timestamps. */
export const dayBucketSql = (unit: string) => `to_char(date_trunc('${unit}', day::timestamp), 'YYYY-MM-DD')`;

/**
 * Rows of a weekly rollup for the whole local weeks of the period, plus rows of its daily rollup for
 * the days before the first and after the last whole week; both expose `week` (a date, the Monday).
 * `cols` is the select list shared by both (without week); `where` extra conditions on both.
 */
export function weeksWithEdgesSql(f: MetricFilter, q: Params, o: { weekly: string; daily: string; cols: string; where?: string; sumOf?: string }): string {
  const { fromDay, toDayExclusive } = periodDays(f);
  const { weeks, edges } = weekSpans(fromDay, toDayExclusive);
  const ws = q.p(f.workspaceId);
  const extra = o.where ? ` AND ${o.where}` : '';
  const parts: string[] = [];
  if (weeks) parts.push(`SELECT week, ${o.cols} FROM ${o.weekly} WHERE workspace_id = ${ws} AND week >= ${q.p(weeks[0])}::date AND week < ${q.p(weeks[1])}::date${extra}`);
  if (edges.length) {
    const days = edges.map(([a, b]) => `(day >= ${q.p(a)}::date AND day < ${q.p(b)}::date)`).join(' OR ');
    // sumOf (the last of cols): the edge days summed per week here, so that every row of the result has
    // its own key (edge weeks are never whole weeks) and the caller need not group the weekly rows.
    const keys = o.sumOf ? o.cols.split(',').map((c) => c.trim()).filter((c) => c !== o.sumOf).join(', ') : '';
    parts.push(o.sumOf
      ? `SELECT date_trunc('week', day::timestamp)::date AS week, ${keys}, sum(${o.sumOf})::int AS ${o.sumOf} FROM ${o.daily} WHERE workspace_id = ${ws} AND (${days})${extra}
          GROUP BY 1, ${keys}`
      : `SELECT date_trunc('week', day::timestamp)::date AS week, ${o.cols} FROM ${o.daily} WHERE workspace_id = ${ws} AND (${days})${extra}`);
  }
  return parts.length ? parts.join(' UNION ALL ') : `SELECT NULL::date AS week, ${o.cols} FROM ${o.daily} WHERE false`;
}

/** Whether PostgreSQL knows the zone (the workspace CHECK of 0025 refuses one it does not). */
export async function isZoneKnownToDatabase(database: Database, timeZone: string): Promise<boolean> {
  const rows = await database.query<{ ok: boolean }>('SELECT time_zone_is_known($1) AS ok', [timeZone]);
  return rows[0]?.ok === true;
}

const firstOfNextMonth = (day: string) => {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  return m === 12 ? `${y + 1}-01-01` : `${day.slice(0, 4)}-${String(m + 1).padStart(2, '0')}-01`;
};

/** The period's whole local months and the days before the first and after the last of them. */
export function monthSpans(fromDay: string, toDayExclusive: string): { months: [string, string] | null; edges: [string, string][] } {
  const first = fromDay.endsWith('-01') ? fromDay : firstOfNextMonth(fromDay);
  const last = `${toDayExclusive.slice(0, 7)}-01`;
  if (first >= last) return { months: null, edges: fromDay < toDayExclusive ? [[fromDay, toDayExclusive]] : [] };
  const edges: [string, string][] = [];
  if (fromDay < first) edges.push([fromDay, first]);
  if (last < toDayExclusive) edges.push([last, toDayExclusive]);
  return { months: [first, last], edges };
}

/**
 * Rows of a monthly rollup (migration 0026: the daily one summed per month) for the period's whole local
 * months, plus rows of the daily rollup for its ragged ends; both expose `month` (a date, the 1st).
 */
export function monthsWithEdgesSql(f: MetricFilter, q: Params, o: { monthly: string; daily: string; cols: string; where?: string }): string {
  const { fromDay, toDayExclusive } = periodDays(f);
  const { months, edges } = monthSpans(fromDay, toDayExclusive);
  const ws = q.p(f.workspaceId);
  const extra = o.where ? ` AND ${o.where}` : '';
  const parts: string[] = [];
  if (months) parts.push(`SELECT month, ${o.cols} FROM ${o.monthly} WHERE workspace_id = ${ws} AND month >= ${q.p(months[0])}::date AND month < ${q.p(months[1])}::date${extra}`);
  if (edges.length) {
    const days = edges.map(([a, b]) => `(day >= ${q.p(a)}::date AND day < ${q.p(b)}::date)`).join(' OR ');
    parts.push(`SELECT date_trunc('month', day::timestamp)::date AS month, ${o.cols} FROM ${o.daily} WHERE workspace_id = ${ws} AND (${days})${extra}`);
  }
  return parts.length ? parts.join(' UNION ALL ') : `SELECT NULL::date AS month, ${o.cols} FROM ${o.daily} WHERE false`;
}

/** Owner and source conditions of a rollup table without its day range, or null. */
export function rollupKeysWhere(f: MetricFilter, q: Params, o: { ownerCol?: string; source?: boolean }): string | undefined {
  const parts: string[] = [];
  if (f.ownerIds) parts.push(`${o.ownerCol ?? 'owner_id'} = ANY(${q.p(f.ownerIds)}::uuid[])`);
  if (o.source && f.sourceId) parts.push(`source_id = ${q.p(f.sourceId)}`);
  return parts.length ? parts.join(' AND ') : undefined;
}
