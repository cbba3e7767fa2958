import { groupBy, inPeriod, keyOf, localDay, ratio, round2, type MetricPeriod } from './period.js';
import type { LeadFact } from './conversion.js';

export type CampaignFact = { id: string; name: string; sourceId: string | null; startsOn: string | null; endsOn: string | null; createdAt: Date; cost: number };

const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / 86_400_000;

/**
 * The part of a campaign's cost that falls in the period: the cost is spread evenly over the
 * campaign's local days (startsOn..endsOn, both inclusive). No end: one day. No start: the day it was
 * created. An end before the start is read as a one-day campaign.
 */
export function campaignCostInPeriod(c: CampaignFact, period: MetricPeriod): number {
  if (!c.cost) return 0;
  const start = dayNumber(c.startsOn ?? localDay(c.createdAt, period.timeZone));
  const end = Math.max(start, c.endsOn ? dayNumber(c.endsOn) : start);
  const from = dayNumber(localDay(period.from, period.timeZone));
  const toExclusive = dayNumber(localDay(period.to, period.timeZone));
  const overlap = Math.max(0, Math.min(end, toExclusive - 1) - Math.max(start, from) + 1);
  return (c.cost * overlap) / (end - start + 1);
}

export type CplRow = { key: string; cost: number; leads: number; won: number; cpl: number | null; costPerWon: number | null };

export const cplRow = (key: string, cost: number, leads: number, won: number): CplRow => {
  const c = round2(cost);
  return { key, cost: c, leads, won, cpl: ratio(c, leads), costPerWon: ratio(c, won) };
};

export type Cpl = { total: CplRow; bySource: CplRow[]; byCampaign: CplRow[] };

/**
 * Cost per lead: campaign costs in the period ÷ leads created in the period (all leads for the total,
 * that source's or that campaign's for the breakdowns); cost per won client divides by the leads of
 * the same cohort that were won.
 */
export function costPerLead(campaigns: readonly CampaignFact[], leads: readonly LeadFact[], period: MetricPeriod): Cpl {
  const cohort = leads.filter((l) => l.status !== 'cancelled' && inPeriod(l.createdAt, period));
  const costs = campaigns.map((c) => ({ c, cost: campaignCostInPeriod(c, period) }));
  const won = (ls: readonly LeadFact[]) => ls.filter((l) => l.status === 'won').length;
  const sum = (xs: readonly { cost: number }[]) => xs.reduce((s, x) => s + x.cost, 0);

  const leadsBySource = groupBy(cohort, (l) => keyOf(l.sourceId));
  const costsBySource = groupBy(costs, (x) => keyOf(x.c.sourceId));
  const sourceKeys = new Set([...leadsBySource.keys(), ...costsBySource.keys()]);
  const bySource = [...sourceKeys].map((k) => {
    const ls = leadsBySource.get(k) ?? [];
    return cplRow(k, sum(costsBySource.get(k) ?? []), ls.length, won(ls));
  });

  const leadsByCampaign = groupBy(cohort.filter((l) => l.campaignId), (l) => l.campaignId!);
  const byCampaign = costs
    .filter((x) => x.cost > 0 || leadsByCampaign.has(x.c.id))
    .map((x) => { const ls = leadsByCampaign.get(x.c.id) ?? []; return cplRow(x.c.id, x.cost, ls.length, won(ls)); });

  const byKey = (a: CplRow, b: CplRow) => a.key.localeCompare(b.key);
  return { total: cplRow('all', sum(costs), cohort.length, won(cohort)), bySource: bySource.sort(byKey), byCampaign: byCampaign.sort(byKey) };
}
