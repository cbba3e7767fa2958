import { bucketOf, groupBy, inPeriod, keyOf, type MetricPeriod } from './period.js';

/** A new lead with where it came from, what it asked for and where the client lives (contact, else company). */
export type NewLeadFact = { createdAt: Date; status: string; sourceId: string | null; productIds: readonly string[]; neighbourhood: string | null; city: string | null };
export type WeeklyRow = { week: string; sourceId: string; productId: string; neighbourhood: string; city: string; count: number };

/**
 * Weekly statistics: new leads per week × source × product of interest × neighbourhood × city.
 * A lead interested in two products counts once under each, so the rows can add up to more than
 * the number of leads; "none" stands for a missing value.
 */
export function weeklyNewLeads(leads: readonly NewLeadFact[], period: MetricPeriod): WeeklyRow[] {
  const cells = leads
    .filter((l) => l.status !== 'cancelled' && inPeriod(l.createdAt, period))
    .flatMap((l) => (l.productIds.length ? l.productIds : [null]).map((p) => ({
      week: bucketOf(l.createdAt, 'week', period.timeZone), sourceId: keyOf(l.sourceId), productId: keyOf(p),
      neighbourhood: keyOf(l.neighbourhood), city: keyOf(l.city),
    })));
  return [...groupBy(cells, (c) => [c.week, c.sourceId, c.productId, c.neighbourhood, c.city].join('\u0000'))]
    .map(([, cs]) => ({ ...cs[0]!, count: cs.length }))
    .sort(compareWeekly);
}

export const compareWeekly = (a: WeeklyRow, b: WeeklyRow) =>
  a.week.localeCompare(b.week) || a.sourceId.localeCompare(b.sourceId) || a.productId.localeCompare(b.productId)
  || a.neighbourhood.localeCompare(b.neighbourhood) || a.city.localeCompare(b.city);

/** New leads per week × source, products and places added up: what the dashboard's weekly chart draws. */
export type WeeklyBySourceRow = { week: string; sourceId: string; count: number };

/**
 * The dashboard's weekly card: the weekly table summed per week and source (~420 rows a year on the 1M-lead
 * benchmark dataset, against ~3 300 rows of week × source × product × place). The full table stays at
 * GET /metrics/weeklyNewLeads and its downloads; the page loads it when the table is opened.
 */
export function weeklyBySource(rows: readonly WeeklyRow[]): WeeklyBySourceRow[] {
  const sums = new Map<string, WeeklyBySourceRow>();
  for (const r of rows) {
    const k = `${r.week}\u0000${r.sourceId}`;
    const s = sums.get(k) ?? { week: r.week, sourceId: r.sourceId, count: 0 };
    s.count += r.count;
    sums.set(k, s);
  }
  return [...sums.values()].sort(compareWeeklyBySource);
}

// Weeks are ISO days and sources uuids or 'none': code-unit order is their order, and the SQL path sorts the same way.
export const compareWeeklyBySource = (a: WeeklyBySourceRow, b: WeeklyBySourceRow) =>
  (a.week < b.week ? -1 : a.week > b.week ? 1 : 0) || (a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0);
