import type { Database } from '../../client.js';
import type { CountByUser, InteractionRow } from '../../../domain/metrics/activity.js';
import { baseWhere, bucketSql, num, Params, type MetricFilter } from './filter.js';
import { NONE_ID, useRollups, weeksWithEdgesSql } from './rollups.js';

/** Done interactions (not notes) per user × type × local week, when they happened (docs/metrics.md#activity). */
export async function interactionsSql(database: Database, f: MetricFilter): Promise<InteractionRow[]> {
  const q = new Params();
  const rolled = await useRollups(database, f);
  if (rolled) {
    // activity_weekly for the whole weeks of the period, activity_daily for its ragged ends.
    const owners = f.ownerIds ? `user_id = ANY(${q.p(f.ownerIds)}::uuid[])` : undefined;
    const where = [owners, `type <> 'note'`].filter(Boolean).join(' AND ');
    const src = weeksWithEdgesSql(f, q, { weekly: 'activity_weekly', daily: 'activity_daily', cols: 'user_id, type, done', where, sumOf: 'done' });
    // ~12 000 rows a year for 50 users: one per key already (no grouping), texts made here rather than
    // per row in SQL, and almost in the card's order (uuid order is that of their text; only the nil
    // uuid, 'none', moves), so the sort below has little left to do.
    // One JSON value rather than 12 000 result rows: PGlite's client spends ~20 µs decoding each row.
    const [r] = await database.query<{ rows: string | null }>(
      `SELECT json_agg(json_build_array(user_id, type, week, done) ORDER BY user_id, type COLLATE "C", week)::text AS rows
         FROM (${src}) r WHERE done <> 0`, q.values);
    const rows = (JSON.parse(r?.rows ?? '[]') as [string, string, string, number][])
      .map(([userId, type, week, count]) => ({ userId: userId === NONE_ID ? 'none' : userId, type, week, count }));
    return sortInteractions(rows);
  }
  const where = baseWhere(f, q, { timeCol: 'coalesce(occurred_at, done_at)', ownerCol: 'user_id' });
  const rows = await database.query<InteractionRow>(
    `SELECT coalesce(user_id::text, 'none') AS "userId", type, ${bucketSql('coalesce(occurred_at, done_at)', 'week', q.p(f.period.timeZone))} AS week, count(*)::int AS count
       FROM activity WHERE ${where} AND done_at IS NOT NULL AND type <> 'note'
      GROUP BY 1, 2, 3`, q.values);
  return sortInteractions(rows);
}

/**
 * The interactions card of the dashboard: totals per salesperson and per type, and per local week and
 * salesperson (what its chart draws) — ~2 600 rows a year for 50 users instead of the ~12 700 of the
 * full per user × type × week table, which GET /metrics/interactions and its CSV/XLSX export keep.
 * Exactly the sums of interactionsSql's rows (the raw path sums them here; the tests compare both).
 */
export type InteractionsSummary = {
  total: number;
  byUser: CountByUser[];
  byType: { type: string; count: number }[];
  byWeek: { week: string; userId: string; count: number }[];
};

export async function interactionsSummarySql(database: Database, f: MetricFilter): Promise<InteractionsSummary> {
  if (!(await useRollups(database, f))) return summarizeInteractions(await interactionsSql(database, f));
  const q = new Params();
  const owners = f.ownerIds ? `user_id = ANY(${q.p(f.ownerIds)}::uuid[])` : undefined;
  const where = [owners, `type <> 'note'`].filter(Boolean).join(' AND ');
  const src = weeksWithEdgesSql(f, q, { weekly: 'activity_weekly', daily: 'activity_daily', cols: 'user_id, type, done', where, sumOf: 'done' });
  // One scan grouped two ways (week × user, type); the per-user totals are sums of the weekly rows.
  const [r] = await database.query<{ weeks: string | null; types: string | null }>(
    `WITH g AS (SELECT week, user_id, type, GROUPING(week, user_id, type) AS g, sum(done)::int AS done FROM (${src}) r
                 GROUP BY GROUPING SETS ((week, user_id), (type)) HAVING sum(done) <> 0)
     SELECT (SELECT json_agg(json_build_array(week, user_id, done) ORDER BY week, user_id) FROM g WHERE g.g = 1)::text AS weeks,
            (SELECT json_agg(json_build_array(type, done) ORDER BY type COLLATE "C") FROM g WHERE g.g = 6)::text AS types`, q.values);
  const byWeek = (JSON.parse(r?.weeks ?? '[]') as [string, string, number][])
    .map(([week, userId, count]) => ({ week, userId: userId === NONE_ID ? 'none' : userId, count }));
  const byType = (JSON.parse(r?.types ?? '[]') as [string, number][]).map(([type, count]) => ({ type, count }));
  return summaryOf(byWeek, byType);
}

/** The card from the full table (the raw path): the same sums, in the same orders. */
function summarizeInteractions(rows: InteractionRow[]): InteractionsSummary {
  const weeks = new Map<string, { week: string; userId: string; count: number }>();
  const types = new Map<string, number>();
  for (const r of rows) {
    const k = `${r.week}|${r.userId}`;
    const w = weeks.get(k) ?? { week: r.week, userId: r.userId, count: 0 };
    w.count += r.count;
    weeks.set(k, w);
    types.set(r.type, (types.get(r.type) ?? 0) + r.count);
  }
  return summaryOf([...weeks.values()], [...types].map(([type, count]) => ({ type, count })));
}

function summaryOf(byWeek: InteractionsSummary['byWeek'], byType: InteractionsSummary['byType']): InteractionsSummary {
  const users = new Map<string, number>();
  for (const w of byWeek) users.set(w.userId, (users.get(w.userId) ?? 0) + w.count);
  return {
    total: byType.reduce((s, t) => s + t.count, 0),
    byUser: [...users].map(([userId, count]) => ({ userId, count })).sort((a, b) => byCodeUnits(a.userId, b.userId)),
    byType: byType.sort((a, b) => byCodeUnits(a.type, b.type)),
    byWeek: byWeek.sort((a, b) => byCodeUnits(a.week, b.week) || byCodeUnits(a.userId, b.userId)),
  };
}

// The domain's order (localeCompare). Its keys are uuids or 'none', lowercase type names and ISO days, on
// which code-unit order is the same and ~10 times cheaper over the ~12 000 rows of a year.
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const sortInteractions = (rows: InteractionRow[]) =>
  rows.map((r) => ({ ...r, count: num(r.count) }))
    .sort((a, b) => byCodeUnits(a.userId, b.userId) || byCodeUnits(a.type, b.type) || byCodeUnits(a.week, b.week));

/** Planned activities due in the period, already due, not done by the end of their local due day. */
export async function cadenceMissesSql(database: Database, f: MetricFilter): Promise<{ total: number; byUser: CountByUser[] }> {
  const q = new Params();
  const where = baseWhere(f, q, { timeCol: 'due_at', ownerCol: 'user_id' });
  const tz = q.p(f.period.timeZone);
  const rows = await database.query<CountByUser>(
    `SELECT coalesce(user_id::text, 'none') AS "userId", count(*)::int AS count
       FROM activity
      WHERE ${where} AND due_at < ${q.p(f.now)}
        AND (done_at IS NULL OR (done_at AT TIME ZONE ${tz})::date > (due_at AT TIME ZONE ${tz})::date)
      GROUP BY 1`, q.values);
  const byUser = rows.map((r) => ({ userId: r.userId, count: num(r.count) })).sort((a, b) => a.userId.localeCompare(b.userId));
  return { total: byUser.reduce((s, r) => s + r.count, 0), byUser };
}
