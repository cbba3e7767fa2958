import { bucketOf, groupBy, inPeriod, ratio, round2, type MetricPeriod, type PeriodUnit } from './period.js';

/**
 * What the sales metrics read of a sale. `clientKey` names the client: `contact:<id>` when the sale
 * has a contact, else `company:<id>`, else null (a counter sale nobody was recorded for).
 */
export type SaleFact = { id: string; clientKey: string | null; ownerId: string | null; soldAt: Date; total: number };

export const clientKeyOf = (s: { contactId: string | null; companyId: string | null }): string | null =>
  s.contactId ? `contact:${s.contactId}` : s.companyId ? `company:${s.companyId}` : null;

export type ClientTypeSplit = { clients: number; count: number; amount: number };
export type SalesByClientType = {
  newClients: ClientTypeSplit;
  existingClients: ClientTypeSplit;
  /** Sales with no client recorded: counted in the totals, in neither split. */
  unattributed: { count: number; amount: number };
  /** Share of the period's amount that came from new clients. */
  newAmountShare: number | null;
};

/**
 * New vs existing clients. A client is new in the period when their first-ever sale (over all
 * time and all salespeople: `firstSaleAt`) falls in the period; every sale of theirs in the period
 * then counts as "new". Everyone else who bought in the period is existing.
 */
export function salesByClientType(sales: readonly SaleFact[], firstSaleAt: ReadonlyMap<string, Date>, period: MetricPeriod): SalesByClientType {
  const inside = sales.filter((s) => inPeriod(s.soldAt, period));
  const split = (isNew: boolean): ClientTypeSplit => {
    const xs = inside.filter((s) => s.clientKey !== null && inPeriod(firstSaleAt.get(s.clientKey), period) === isNew);
    return { clients: new Set(xs.map((s) => s.clientKey)).size, count: xs.length, amount: round2(xs.reduce((a, s) => a + s.total, 0)) };
  };
  const none = inside.filter((s) => s.clientKey === null);
  const newClients = split(true);
  const existingClients = split(false);
  const unattributed = { count: none.length, amount: round2(none.reduce((a, s) => a + s.total, 0)) };
  return { newClients, existingClients, unattributed, newAmountShare: ratio(newClients.amount, round2(newClients.amount + existingClients.amount + unattributed.amount)) };
}

export type FrequencyRow = { bucket: string; orders: number; clients: number; amount: number; frequency: number | null; intensity: number | null };

export const frequencyRow = (bucket: string, orders: number, clients: number, amount: number): FrequencyRow => {
  const a = round2(amount);
  return { bucket, orders, clients, amount: a, frequency: ratio(orders, clients), intensity: ratio(a, clients) };
};

/**
 * Per period unit (week, month, quarter of the local calendar): orders per buying client
 * (frequency) and amount per buying client (intensity). Sales without a client are left out.
 */
export function frequencyAndIntensity(sales: readonly SaleFact[], period: MetricPeriod, unit: PeriodUnit): FrequencyRow[] {
  const xs = sales.filter((s) => s.clientKey !== null && inPeriod(s.soldAt, period));
  return [...groupBy(xs, (s) => bucketOf(s.soldAt, unit, period.timeZone))]
    .map(([bucket, ss]) => frequencyRow(bucket, ss.length, new Set(ss.map((s) => s.clientKey)).size, ss.reduce((a, s) => a + s.total, 0)))
    .sort((a, b) => a.bucket.localeCompare(b.bucket));
}
