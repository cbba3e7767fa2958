import type { Database } from '../../client.js';
import type { CountByUser, InteractionRow } from '../../../domain/metrics/activity.js';
import { baseWhere, bucketSql, num, Params, type MetricFilter } from './filter.js';
import { dayBucketSql, keyText, rollupWhere, useRollups } from './rollups.js';

/** Done interactions (not notes) per user × type × local week, when they happened (docs/metrics.md#activity). */
export async function interactionsSql(database: Database, f: MetricFilter): Promise<InteractionRow[]> {
  const q = new Params();
  const rolled = await useRollups(database, f);
  const where = rolled ? rollupWhere(f, q, { ownerCol: 'user_id' }) : baseWhere(f, q, { timeCol: 'coalesce(occurred_at, done_at)', ownerCol: 'user_id' });
  const rows = await database.query<InteractionRow>(rolled
    ? `SELECT ${keyText('user_id')} AS "userId", type, ${dayBucketSql('week')} AS week, sum(done)::int AS count
         FROM activity_daily WHERE ${where} AND type <> 'note'
        GROUP BY 1, 2, 3 HAVING sum(done) <> 0`
    : `SELECT coalesce(user_id::text, 'none') AS "userId", type, ${bucketSql('coalesce(occurred_at, done_at)', 'week', q.p(f.period.timeZone))} AS week, count(*)::int AS count
       FROM activity WHERE ${where} AND done_at IS NOT NULL AND type <> 'note'
      GROUP BY 1, 2, 3`, q.values);
  return rows.map((r) => ({ ...r, count: num(r.count) }))
    .sort((a, b) => a.userId.localeCompare(b.userId) || a.type.localeCompare(b.type) || a.week.localeCompare(b.week));
}

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
