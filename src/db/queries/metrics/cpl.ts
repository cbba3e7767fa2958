import type { Database } from '../../client.js';
import { cplRow, type Cpl, type CplRow } from '../../../domain/metrics/cpl.js';
import { baseWhere, byKey, num, Params, periodDays, type MetricFilter } from './filter.js';
import { keyText, monthsWithEdgesSql, NONE_ID, rollupKeysWhere, useRollups } from './rollups.js';

/**
 * Cost per lead (docs/metrics.md#cpl). Campaign costs are a workspace's marketing spend, so owner
 * filters narrow the leads only; the source filter narrows both.
 */
export async function costPerLeadSql(database: Database, f: MetricFilter): Promise<Cpl> {
  const { fromDay, toDayExclusive } = periodDays(f);
  const cq = new Params();
  const ws = cq.p(f.workspaceId);
  const tz = cq.p(f.period.timeZone);
  const fromP = cq.p(fromDay);
  const toP = cq.p(toDayExclusive);
  const src = f.sourceId ? ` AND source_id = ${cq.p(f.sourceId)}` : '';
  // Cost spread evenly over the campaign's days (start..end inclusive); only the days in the period count.
  const costs = await database.query<{ id: string; source: string; cost: string }>(
    `SELECT id, coalesce(source_id::text, 'none') AS source,
            cost * greatest(0, least(e, ${toP}::date - 1) - greatest(s, ${fromP}::date) + 1) / (e - s + 1) AS cost
       FROM (SELECT id, source_id, cost, s, greatest(s, coalesce(ends_on, s)) AS e
               FROM (SELECT id, source_id, cost, ends_on, coalesce(starts_on, (created_at AT TIME ZONE ${tz})::date) AS s
                       FROM campaign WHERE workspace_id = ${ws}${src}) c0) c`, cq.values);
  const lq = new Params();
  const rolled = await useRollups(database, f);
  const where = rolled
    ? monthsWithEdgesSql(f, lq, { monthly: 'lead_monthly', daily: 'lead_daily', cols: 'source_id, campaign_id, leads, won', where: rollupKeysWhere(f, lq, { source: true }) })
    : baseWhere(f, lq, { timeCol: 'created_at', ownerCol: 'owner_id', source: true });
  const leads = await database.query<{ source: string | null; campaign: string | null; g: number; leads: number; won: number }>(rolled
    // lead_monthly / lead_daily: the cohort per local creation month / day, owner, source and campaign,
    // grouped on the key columns (their texts made for the few groups only).
    ? `SELECT ${keyText('source_id')} AS source, CASE WHEN campaign_id <> '${NONE_ID}' THEN campaign_id::text END AS campaign, g, leads, won
         FROM (SELECT source_id, campaign_id, GROUPING(source_id, campaign_id) AS g, coalesce(sum(leads), 0)::int AS leads, coalesce(sum(won), 0)::int AS won
                 FROM (${where}) r
                GROUP BY GROUPING SETS ((), (source_id), (campaign_id))
               HAVING sum(leads) <> 0 OR GROUPING(source_id, campaign_id) = 3) x`
    : `SELECT coalesce(source_id::text, 'none') AS source, campaign_id::text AS campaign,
            GROUPING(coalesce(source_id::text, 'none'), campaign_id) AS g,
            count(*)::int AS leads, (count(*) FILTER (WHERE status = 'won'))::int AS won
       FROM lead WHERE ${where} AND status <> 'cancelled'
      GROUP BY GROUPING SETS ((), (coalesce(source_id::text, 'none')), (campaign_id))`, lq.values);
  const total = leads.find((r) => num(r.g) === 3);
  const leadsBySource = new Map(leads.filter((r) => num(r.g) === 1).map((r) => [r.source!, r]));
  const leadsByCampaign = new Map(leads.filter((r) => num(r.g) === 2 && r.campaign !== null).map((r) => [r.campaign!, r]));
  const costBySource = new Map<string, number>();
  for (const c of costs) costBySource.set(c.source, (costBySource.get(c.source) ?? 0) + num(c.cost));
  const bySource: CplRow[] = [...new Set([...leadsBySource.keys(), ...costBySource.keys()])].map((k) =>
    cplRow(k, costBySource.get(k) ?? 0, num(leadsBySource.get(k)?.leads), num(leadsBySource.get(k)?.won)));
  const byCampaign = costs.filter((c) => num(c.cost) > 0 || leadsByCampaign.has(c.id))
    .map((c) => cplRow(c.id, num(c.cost), num(leadsByCampaign.get(c.id)?.leads), num(leadsByCampaign.get(c.id)?.won)));
  return {
    total: cplRow('all', costs.reduce((s, c) => s + num(c.cost), 0), num(total?.leads), num(total?.won)),
    bySource: bySource.sort(byKey), byCampaign: byCampaign.sort(byKey),
  };
}
