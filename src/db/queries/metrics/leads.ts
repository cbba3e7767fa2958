import type { Database } from '../../client.js';
import { conversionRow, stageStepsFromCounts, type ConversionBy, type ConversionRow, type StageDef, type StageStep } from '../../../domain/metrics/conversion.js';
import type { Pipeline, PipelineRow, WinRate } from '../../../domain/metrics/portfolio.js';
import { winRateFromCounts } from '../../../domain/metrics/portfolio.js';
import type { CountByUser } from '../../../domain/metrics/activity.js';
import { compareWeekly, compareWeeklyBySource, weeklyBySource, type WeeklyBySourceRow, type WeeklyRow } from '../../../domain/metrics/weekly.js';
import { addDays, bucketStart, round2 } from '../../../domain/metrics/period.js';
import { baseWhere, bucketSql, byKey, num, Params, periodDays, type MetricFilter } from './filter.js';
import { dayBucketSql, keyText, monthsWithEdgesSql, NONE_ID, rollupKeysWhere, rollupWhere, useRollups, weeksWithEdgesSql } from './rollups.js';

// Cancelled leads are withdrawn records, not outcomes: no lead metric counts them (docs/metrics.md).

/** Cohort conversion (docs/metrics.md#conversion), grouped like domain `conversion`. */
export async function conversionSql(database: Database, f: MetricFilter, by: ConversionBy): Promise<ConversionRow[]> {
  if (await useRollups(database, f)) return conversionFromRollups(database, f, by);
  const q = new Params();
  const where = baseWhere(f, q, { timeCol: 'created_at', ownerCol: 'owner_id', source: true });
  const key = by === 'total' ? `'all'` : by === 'source' ? `coalesce(source_id::text, 'none')` : by === 'owner' ? `coalesce(owner_id::text, 'none')`
    : bucketSql('created_at', f.unit, q.p(f.period.timeZone));
  const rows = await database.query<{ key: string; created: number; won: number }>(
    `SELECT ${key} AS key, count(*)::int AS created, (count(*) FILTER (WHERE status = 'won'))::int AS won
       FROM lead WHERE ${where} AND status <> 'cancelled' GROUP BY 1`, q.values);
  const out = rows.map((r) => conversionRow(r.key, num(r.created), num(r.won)));
  if (by === 'total' && out.length === 0) out.push(conversionRow('all', 0, 0));
  return out.sort(byKey);
}

/** The same from lead_daily (cohort counts per local creation day, owner, source, campaign). */
async function conversionFromRollups(database: Database, f: MetricFilter, by: ConversionBy): Promise<ConversionRow[]> {
  const q = new Params();
  const where = rollupWhere(f, q, { source: true });
  const key = by === 'total' ? `'all'` : by === 'source' ? keyText('source_id') : by === 'owner' ? keyText('owner_id') : dayBucketSql(f.unit);
  const rows = await database.query<{ key: string; created: number; won: number }>(
    `SELECT ${key} AS key, sum(leads)::int AS created, sum(won)::int AS won
       FROM lead_daily WHERE ${where} GROUP BY 1 HAVING sum(leads) <> 0`, q.values);
  const out = rows.map((r) => conversionRow(r.key, num(r.created), num(r.won)));
  if (by === 'total' && out.length === 0) out.push(conversionRow('all', 0, 0));
  return out.sort(byKey);
}

/** The four groupings of the conversion card (total, source, owner, period) in one rollup scan. */
export async function conversionAllSql(database: Database, f: MetricFilter): Promise<Record<ConversionBy, ConversionRow[]>> {
  if (!(await useRollups(database, f))) {
    const [total, source, owner, period] = await Promise.all((['total', 'source', 'owner', 'period'] as const).map((by) => conversionSql(database, f, by)));
    return { total: total!, source: source!, owner: owner!, period: period! };
  }
  const q = new Params();
  // Grouped on the key columns, their texts made for the few groups only. Months and quarters read
  // lead_monthly for the period's whole months (lead_daily for its ragged ends); weeks, lead_daily.
  const rowsSql = f.unit === 'week'
    ? `SELECT date_trunc('week', day::timestamp)::date AS b, owner_id, source_id, leads, won FROM lead_daily WHERE ${rollupWhere(f, q, { source: true })}`
    : `SELECT date_trunc('${f.unit}', month::timestamp)::date AS b, owner_id, source_id, leads, won
         FROM (${monthsWithEdgesSql(f, q, { monthly: 'lead_monthly', daily: 'lead_daily', cols: 'owner_id, source_id, leads, won', where: rollupKeysWhere(f, q, { source: true }) })}) m`;
  const rows = await database.query<{ source: string; owner: string; period: string; g: number; created: number; won: number }>(
    `SELECT ${keyText('source_id')} AS source, ${keyText('owner_id')} AS owner, to_char(b, 'YYYY-MM-DD') AS period, g, created, won
       FROM (SELECT source_id, owner_id, b, GROUPING(source_id, owner_id, b) AS g, sum(leads)::int AS created, sum(won)::int AS won
               FROM (${rowsSql}) r
              GROUP BY GROUPING SETS ((), (source_id), (owner_id), (b)) HAVING sum(leads) <> 0) x`, q.values);
  // GROUPING bits: 4 = source aggregated, 2 = owner aggregated, 1 = period aggregated.
  const pick = (g: number, key: (r: (typeof rows)[number]) => string) =>
    rows.filter((r) => num(r.g) === g).map((r) => conversionRow(key(r), num(r.created), num(r.won))).sort(byKey);
  const total = pick(7, () => 'all');
  return { total: total.length ? total : [conversionRow('all', 0, 0)], source: pick(3, (r) => r.source), owner: pick(5, (r) => r.owner), period: pick(6, (r) => r.period) };
}

/** The funnel steps of a pipeline, open and won stages in order. */
export async function funnelStages(database: Database, workspaceId: string, pipelineId: string): Promise<StageDef[]> {
  return database.query<StageDef>(
    `SELECT id, name, position, kind FROM stage WHERE workspace_id = $1 AND pipeline_id = $2 ORDER BY position`, [workspaceId, pipelineId]);
}

export async function defaultPipelineId(database: Database, workspaceId: string): Promise<string | null> {
  const rows = await database.query<{ id: string }>(
    `SELECT id FROM pipeline WHERE workspace_id = $1 ORDER BY is_default DESC, position, created_at, id LIMIT 1`, [workspaceId]);
  return rows[0]?.id ?? null;
}

/** Stage-to-stage conversion of the cohort (docs/metrics.md#stage-conversion). */
export async function stageConversionSql(database: Database, f: MetricFilter, pipelineId: string): Promise<StageStep[]> {
  const stages = await funnelStages(database, f.workspaceId, pipelineId);
  if (await useRollups(database, f)) {
    // lead_funnel_daily counts the cohort by the furthest step each lead reached; a step is reached
    // by every lead whose furthest step is at or after it.
    const q = new Params();
    // lead_funnel_monthly for the whole months of the period, lead_funnel_daily for its ragged ends.
    const keys = [rollupKeysWhere(f, q, { source: true }), `pipeline_id = ${q.p(pipelineId)}`].filter(Boolean).join(' AND ');
    const src = monthsWithEdgesSql(f, q, { monthly: 'lead_funnel_monthly', daily: 'lead_funnel_daily', cols: 'furthest_stage_id, leads', where: keys });
    const rows = await database.query<{ stageId: string; leads: number }>(
      `SELECT furthest_stage_id::text AS "stageId", sum(leads)::int AS leads FROM (${src}) r GROUP BY furthest_stage_id`, q.values);
    const position = new Map(stages.map((s) => [s.id, s.position]));
    const steps = stages.filter((s) => s.kind !== 'lost');
    return stageStepsFromCounts(steps, (s) => rows.reduce((sum, r) => sum + ((position.get(r.stageId) ?? -Infinity) >= s.position ? num(r.leads) : 0), 0));
  }
  const q = new Params();
  const where = baseWhere(f, q, { alias: 'l', timeCol: 'created_at', ownerCol: 'owner_id', source: true });
  const ws = q.p(f.workspaceId);
  const pl = q.p(pipelineId);
  // The furthest funnel step each lead has been in: its current stage or any stage in its history.
  const rows = await database.query<{ id: string; reached: number }>(
    `WITH furthest AS (
       SELECT l.id, max(s.position) AS pos
         FROM lead l
         JOIN LATERAL (SELECT l.stage_id AS stage_id
                       UNION ALL
                       SELECT h.to_stage_id FROM lead_stage_history h WHERE h.workspace_id = l.workspace_id AND h.lead_id = l.id) r ON true
         JOIN stage s ON s.workspace_id = l.workspace_id AND s.id = r.stage_id AND s.pipeline_id = ${pl} AND s.kind <> 'lost'
        WHERE ${where} AND l.pipeline_id = ${pl} AND l.status <> 'cancelled'
        GROUP BY l.id)
     SELECT s.id, count(f.id)::int AS reached
       FROM stage s LEFT JOIN furthest f ON f.pos >= s.position
      WHERE s.workspace_id = ${ws} AND s.pipeline_id = ${pl} AND s.kind <> 'lost'
      GROUP BY s.id`, q.values);
  const reached = new Map(rows.map((r) => [r.id, num(r.reached)]));
  return stageStepsFromCounts(stages.filter((s) => s.kind !== 'lost'), (s) => reached.get(s.id) ?? 0);
}

/** The open pipeline now, per stage, owner and expected close month, in one scan (GROUPING SETS). */
export async function pipelineSql(database: Database, f: MetricFilter): Promise<Pipeline> {
  const q = new Params();
  const rolled = await useRollups(database, f);
  const where = rolled ? rollupWhere(f, q, { days: false, source: true }) : baseWhere(f, q, { ownerCol: 'owner_id', source: true });
  const rows = await database.query<{ stage: string | null; owner: string | null; month: string | null; g: number; count: number; amount: string; weighted: string }>(rolled
    // lead_open_summary: the open leads now, summed per stage, owner, source and close month.
    ? `SELECT stage_id::text AS stage, ${keyText('owner_id')} AS owner, close_month AS month,
              GROUPING(stage_id, ${keyText('owner_id')}, close_month) AS g,
              sum(leads)::int AS count, coalesce(sum(amount), 0) AS amount, coalesce(sum(weighted), 0) AS weighted
         FROM lead_open_summary WHERE ${where}
        GROUP BY GROUPING SETS ((), (stage_id), (${keyText('owner_id')}), (close_month))
       HAVING sum(leads) <> 0 OR GROUPING(stage_id, ${keyText('owner_id')}, close_month) = 7`
    : `SELECT stage_id::text AS stage, coalesce(owner_id::text, 'none') AS owner, coalesce(to_char(expected_close_date, 'YYYY-MM'), 'none') AS month,
            GROUPING(stage_id, coalesce(owner_id::text, 'none'), coalesce(to_char(expected_close_date, 'YYYY-MM'), 'none')) AS g,
            count(*)::int AS count, coalesce(sum(amount), 0) AS amount, coalesce(sum(amount * probability / 100.0), 0) AS weighted
       FROM lead WHERE ${where} AND status = 'open'
      GROUP BY GROUPING SETS ((), (stage_id), (coalesce(owner_id::text, 'none')), (coalesce(to_char(expected_close_date, 'YYYY-MM'), 'none')))`, q.values);
  const row = (key: string, r: (typeof rows)[number]): PipelineRow => ({ key, count: num(r.count), amount: round2(num(r.amount)), weighted: round2(num(r.weighted)) });
  // GROUPING bits: 4 = stage aggregated, 2 = owner aggregated, 1 = month aggregated.
  const pick = (g: number, key: (r: (typeof rows)[number]) => string) => rows.filter((r) => num(r.g) === g).map((r) => row(key(r), r)).sort(byKey);
  const total = rows.find((r) => num(r.g) === 7);
  return {
    total: total ? row('all', total) : { key: 'all', count: 0, amount: 0, weighted: 0 },
    byStage: pick(3, (r) => r.stage!), byOwner: pick(5, (r) => r.owner!), byCloseMonth: pick(6, (r) => r.month!),
  };
}

/** Win rate and average cycle of the leads closed in the period (docs/metrics.md#win-rate). */
export async function winRateSql(database: Database, f: MetricFilter): Promise<WinRate> {
  const q = new Params();
  const rolled = await useRollups(database, f);
  const where = rolled ? rollupWhere(f, q, { source: true }) : baseWhere(f, q, { timeCol: 'closed_at', ownerCol: 'owner_id', source: true });
  const [r] = await database.query<{ won: number; lost: number; days: number }>(rolled
    ? `SELECT coalesce(sum(won), 0)::int AS won, coalesce(sum(lost), 0)::int AS lost, coalesce(sum(won_days), 0)::float8 AS days
         FROM lead_closed_daily WHERE ${where}`
    : `SELECT (count(*) FILTER (WHERE status = 'won'))::int AS won, (count(*) FILTER (WHERE status = 'lost'))::int AS lost,
            coalesce(sum(extract(epoch FROM closed_at - created_at) / 86400) FILTER (WHERE status = 'won'), 0)::float8 AS days
       FROM lead WHERE ${where} AND status IN ('won', 'lost')`, q.values);
  return winRateFromCounts(num(r?.won), num(r?.lost), num(r?.days));
}

/** Open leads whose next action is past at `now`, per owner. */
export async function overdueNextActionsSql(database: Database, f: MetricFilter): Promise<{ total: number; byOwner: CountByUser[] }> {
  const q = new Params();
  if (await useRollups(database, f)) {
    // lead_next_action_daily (UTC days of the next actions) for the days before today's, and today's
    // open leads before now from lead_open_next_action_idx.
    const dayStart = new Date(Date.UTC(f.now.getUTCFullYear(), f.now.getUTCMonth(), f.now.getUTCDate()));
    const keys = rollupKeysWhere(f, q, { source: true });
    const today = baseWhere(f, q, { ownerCol: 'owner_id', source: true });
    const rows = await database.query<{ userId: string; count: number }>(
      `SELECT ${keyText('owner_id')} AS "userId", sum(leads)::int AS count
         FROM (SELECT owner_id, leads FROM lead_next_action_daily
                WHERE workspace_id = ${q.p(f.workspaceId)} AND day < ${q.p(dayStart.toISOString().slice(0, 10))}::date${keys ? ` AND ${keys}` : ''}
               UNION ALL
               SELECT coalesce(owner_id, '${NONE_ID}'), 1 FROM lead
                WHERE ${today} AND status = 'open' AND next_action_at >= ${q.p(dayStart)} AND next_action_at < ${q.p(f.now)}) r
        GROUP BY owner_id HAVING sum(leads) <> 0`, q.values);
    const byOwner = rows.map((r) => ({ userId: r.userId, count: num(r.count) })).sort((a, b) => a.userId.localeCompare(b.userId));
    return { total: byOwner.reduce((s, r) => s + r.count, 0), byOwner };
  }
  const where = baseWhere(f, q, { ownerCol: 'owner_id', source: true });
  const rows = await database.query<{ userId: string; count: number }>(
    `SELECT coalesce(owner_id::text, 'none') AS "userId", count(*)::int AS count
       FROM lead WHERE ${where} AND status = 'open' AND next_action_at < ${q.p(f.now)} GROUP BY 1`, q.values);
  const byOwner = rows.map((r) => ({ userId: r.userId, count: num(r.count) })).sort((a, b) => a.userId.localeCompare(b.userId));
  return { total: byOwner.reduce((s, r) => s + r.count, 0), byOwner };
}

// compareWeekly's order without localeCompare on the id keys: weeks are ISO days and sources and products
// uuids or 'none', on which code-unit order is the same; places are free text, compared by one collator
// (what localeCompare without arguments uses). Measured: a few ms of ~3 300 rows' sort, not the card's cost.
const collator = new Intl.Collator();
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const compareWeeklyFast = (a: WeeklyRow, b: WeeklyRow) =>
  byCodeUnits(a.week, b.week) || byCodeUnits(a.sourceId, b.sourceId) || byCodeUnits(a.productId, b.productId)
  || collator.compare(a.neighbourhood, b.neighbourhood) || collator.compare(a.city, b.city);

/**
 * An owner filter's weekly rows come from lead_place_daily, about one row per lead (a team at 1M: ~36 000
 * rows for 12 months into ~3 300 groups): the grouping is the card's cost. Weeks never span two ranges
 * cut on Mondays, so a long period is grouped in this many ranges at once (separate statements the pool
 * runs side by side) and their rows are simply put together. PGlite runs one statement at a time: one range.
 */
const OWNER_WEEKLY_RANGES = 3;

/** The period's local days cut on Mondays into at most `n` ranges of 8 whole weeks or more (the first and last cut to the period). */
export function weekRanges(fromDay: string, toDayExclusive: string, n: number): [string, string][] {
  const mondays: string[] = [];
  for (let d = bucketStart(fromDay, 'week'); d < toDayExclusive; d = addDays(d, 7)) if (d > fromDay) mondays.push(d);
  const per = Math.max(8, Math.ceil((mondays.length + 1) / n));
  const cuts = [fromDay, ...mondays.filter((_, i) => (i + 1) % per === 0), toDayExclusive];
  return cuts.slice(1).map((to, i) => [cuts[i]!, to] as [string, string]).filter(([a, b]) => a < b);
}

/**
 * The weekly new-lead rollup rows of the filter, with `keys` (besides week) and their `leads`, each
 * statement handed to `read`: an owner filter groups lead_place_daily in up to OWNER_WEEKLY_RANGES week
 * ranges at once; the whole workspace reads lead_place_weekly plus the ragged ends' daily rows.
 */
async function readWeeklyPlaces<T>(database: Database, f: MetricFilter, keys: string, read: (rowsSql: string, params: unknown[]) => Promise<T[]>): Promise<T[]> {
  if (f.ownerIds) {
    const { fromDay, toDayExclusive } = periodDays(f);
    const ranges = weekRanges(fromDay, toDayExclusive, database.engine === 'postgres' ? OWNER_WEEKLY_RANGES : 1);
    const parts = await Promise.all(ranges.map(([a, b]) => read(
      `SELECT date_trunc('week', day::timestamp)::date AS week, ${keys}, sum(leads)::int AS leads
         FROM lead_place_daily WHERE workspace_id = $1 AND owner_id = ANY($2::uuid[]) AND day >= $3::date AND day < $4::date
              ${f.sourceId ? 'AND source_id = $5' : ''}
        GROUP BY 1, ${keys}`, [f.workspaceId, f.ownerIds, a, b, ...(f.sourceId ? [f.sourceId] : [])])));
    return parts.flat();
  }
  const q = new Params();
  const where = f.sourceId ? `source_id = ${q.p(f.sourceId)}` : undefined;
  return read(weeksWithEdgesSql(f, q, { weekly: 'lead_place_weekly', daily: 'lead_place_daily', cols: `${keys}, leads`, where, sumOf: 'leads' }), q.values);
}


/** New leads per week × source × product × neighbourhood × city (docs/metrics.md#weekly-statistics). */
export async function weeklyNewLeadsSql(database: Database, f: MetricFilter): Promise<WeeklyRow[]> {
  const q = new Params();
  if (await useRollups(database, f)) {
    const none = (id: string) => (id === NONE_ID ? 'none' : id);
    // One JSON value rather than thousands of result rows (PGlite decodes each row slowly).
    const rows = await readWeeklyPlaces(database, f, 'source_id, product_id, neighbourhood, city', async (rowsSql, params) => {
      const [r] = await database.query<{ rows: string | null }>(
        `SELECT json_agg(json_build_array(week, source_id, product_id, neighbourhood, city, leads))::text AS rows FROM (${rowsSql}) r WHERE leads <> 0`, params);
      return (JSON.parse(r?.rows ?? '[]') as [string, string, string, string, string, number][])
        .map(([week, sourceId, productId, neighbourhood, city, count]) => ({ week, sourceId: none(sourceId), productId: none(productId), neighbourhood, city, count }));
    });
    return rows.sort(compareWeeklyFast);
  }
  const where = baseWhere(f, q, { alias: 'l', timeCol: 'created_at', ownerCol: 'owner_id', source: true });
  const rows = await database.query<WeeklyRow>(
    `SELECT ${bucketSql('l.created_at', 'week', q.p(f.period.timeZone))} AS week,
            coalesce(l.source_id::text, 'none') AS "sourceId", coalesce(p.product_id::text, 'none') AS "productId",
            coalesce(ct.neighbourhood, co.neighbourhood, 'none') AS neighbourhood, coalesce(ct.city, co.city, 'none') AS city,
            count(*)::int AS count
       FROM lead l
       CROSS JOIN LATERAL unnest(CASE WHEN cardinality(l.product_ids) = 0 THEN ARRAY[NULL]::uuid[] ELSE l.product_ids END) AS p(product_id)
       LEFT JOIN contact ct ON ct.workspace_id = l.workspace_id AND ct.id = l.contact_id
       LEFT JOIN company co ON co.workspace_id = l.workspace_id AND co.id = l.company_id
      WHERE ${where} AND l.status <> 'cancelled'
      GROUP BY 1, 2, 3, 4, 5`, q.values);
  return rows.map((r) => ({ ...r, count: num(r.count) })).sort(compareWeekly);
}

/**
 * The dashboard's weekly card (docs/metrics.md#weekly-statistics): weeklyNewLeadsSql's rows summed per week
 * and source. From the rollups it groups by those two keys only: a team's ~36 000 daily rows of 12 months
 * become ~420 rows instead of ~3 300, and nothing of the product × place detail is built, sent or parsed.
 */
export async function weeklyNewLeadsBySourceSql(database: Database, f: MetricFilter): Promise<{ byWeek: WeeklyBySourceRow[] }> {
  if (!(await useRollups(database, f))) return { byWeek: weeklyBySource(await weeklyNewLeadsSql(database, f)) };
  const rows = await readWeeklyPlaces(database, f, 'source_id', async (rowsSql, params) => {
    const [r] = await database.query<{ rows: string | null }>(
      `SELECT json_agg(json_build_array(week, source_id, leads))::text AS rows
         FROM (SELECT week, source_id, sum(leads)::int AS leads FROM (${rowsSql}) r GROUP BY 1, 2 HAVING sum(leads) <> 0) g`, params);
    return (JSON.parse(r?.rows ?? '[]') as [string, string, number][])
      .map(([week, sourceId, count]) => ({ week, sourceId: sourceId === NONE_ID ? 'none' : sourceId, count }));
  });
  return { byWeek: rows.sort(compareWeeklyBySource) };
}
