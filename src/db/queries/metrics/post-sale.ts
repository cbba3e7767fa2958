import type { Database } from '../../client.js';
import { npsFromCounts, type Complaints, type Nps } from '../../../domain/metrics/satisfaction.js';
import { baseWhere, num, Params, type MetricFilter } from './filter.js';
import { rollupWhere, useRollups } from './rollups.js';

/** NPS and average satisfaction of the answers given in the period (docs/metrics.md#nps). */
export async function npsSql(database: Database, f: MetricFilter): Promise<Nps> {
  const q = new Params();
  const rolled = await useRollups(database, f);
  const where = rolled ? rollupWhere(f, q, { ownerCol: 'user_id' }) : baseWhere(f, q, { timeCol: 'answered_at', ownerCol: 'user_id' });
  const [r] = await database.query<{ promoters: number; passives: number; detractors: number; sat: number; satSum: number }>(rolled
    // feedback_daily: answers per local day, user, NPS score (-1 none) and satisfaction (0 none).
    ? `SELECT coalesce(sum(answers) FILTER (WHERE nps >= 9), 0)::int AS promoters, coalesce(sum(answers) FILTER (WHERE nps BETWEEN 7 AND 8), 0)::int AS passives,
              coalesce(sum(answers) FILTER (WHERE nps BETWEEN 0 AND 6), 0)::int AS detractors, coalesce(sum(answers) FILTER (WHERE satisfaction > 0), 0)::int AS sat,
              coalesce(sum(answers * satisfaction) FILTER (WHERE satisfaction > 0), 0)::int AS "satSum"
         FROM feedback_daily WHERE ${where}`
    : `SELECT (count(*) FILTER (WHERE nps >= 9))::int AS promoters, (count(*) FILTER (WHERE nps BETWEEN 7 AND 8))::int AS passives,
            (count(*) FILTER (WHERE nps <= 6))::int AS detractors, count(satisfaction)::int AS sat, coalesce(sum(satisfaction), 0)::int AS "satSum"
       FROM feedback WHERE ${where}`, q.values);
  return npsFromCounts(num(r?.promoters), num(r?.passives), num(r?.detractors), num(r?.sat), num(r?.satSum));
}

/** Complaints received in the period, by category and state, with the median hours to resolve. */
export async function complaintsSql(database: Database, f: MetricFilter): Promise<Complaints> {
  const q = new Params();
  const where = baseWhere(f, q, { timeCol: 'created_at', ownerCol: 'owner_id' });
  const rows = await database.query<{ category: string | null; total: number; open: number; resolved: number; median: number | null }>(
    `SELECT category, count(*)::int AS total, (count(*) FILTER (WHERE status <> 'resolved'))::int AS open,
            (count(*) FILTER (WHERE status = 'resolved'))::int AS resolved,
            (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at) / 3600)
               FILTER (WHERE status = 'resolved' AND resolved_at IS NOT NULL))::float8 AS median
       FROM complaint WHERE ${where}
      GROUP BY GROUPING SETS ((), (category))`, q.values);
  const all = rows.find((r) => r.category === null);
  const m = all?.median ?? null;
  return {
    total: num(all?.total), open: num(all?.open), resolved: num(all?.resolved),
    medianHoursToResolve: m === null ? null : Math.round(num(m) * 100) / 100,
    byCategory: rows.filter((r) => r.category !== null)
      .map((r) => ({ category: r.category!, total: num(r.total), open: num(r.open), resolved: num(r.resolved) }))
      .sort((a, b) => a.category.localeCompare(b.category)),
  };
}
