import { addDays, localDay, ratio, round2, zonedMidnight, type MetricPeriod } from './metrics/period.js';
import { clientKeyOf } from './metrics/sales.js';

/**
 * The portfolio of each salesperson: the contacts they own, what those clients bought, the open
 * pipeline they carry and how recently the portfolio was contacted. Definitions: docs/portfolios.md.
 *
 * A sale counts for the portfolio that holds its client now (the contact's owner, else the
 * company's owner), not for whoever sold it: the capital of a portfolio moves with its clients when
 * they are reassigned. The dashboard's sales metrics keep attributing sales to their seller.
 */

export const QUIET_DAYS = [30, 90] as const;
const DAY_MS = 86_400_000;
/** Local days in each comparison window ("the last 12 months", today included). */
export const WINDOW_DAYS = 365;

export type PortfolioWindows = {
  now: Date;
  /** The last 365 local days, today included. */
  current: MetricPeriod;
  /** The 365 local days before that. */
  previous: MetricPeriod;
  /** A client last contacted before this instant has had no contact for 30 (90) days. */
  quietBefore30: Date;
  quietBefore90: Date;
};

export function portfolioWindows(now: Date, timeZone: string): PortfolioWindows {
  const today = localDay(now, timeZone);
  const to = zonedMidnight(addDays(today, 1), timeZone);
  const from = zonedMidnight(addDays(today, 1 - WINDOW_DAYS), timeZone);
  const previousFrom = zonedMidnight(addDays(today, 1 - 2 * WINDOW_DAYS), timeZone);
  return {
    now,
    current: { from, to, timeZone },
    previous: { from: previousFrom, to: from, timeZone },
    quietBefore30: new Date(now.getTime() - 30 * DAY_MS),
    quietBefore90: new Date(now.getTime() - 90 * DAY_MS),
  };
}

/**
 * Growth of revenue against the previous window: (current − previous) ÷ previous. Null ("—") when
 * there is no base to compare with (no revenue before), never Infinity.
 */
export function revenueGrowth(current: number, previous: number): number | null {
  if (!(previous > 0)) return null;
  return ratio(round2(current) - round2(previous), round2(previous));
}

export type OwnerPortfolio = {
  userId: string;
  /** Active contacts owned, per lifecycle (every lifecycle the workspace uses appears, zeros included). */
  byLifecycle: Record<string, number>;
  contacts: number;
  /** Volume: active contacts whose lifecycle is client, and the purchases of the portfolio's clients in the window. */
  clients: number;
  prospects: number;
  purchases: number;
  buyingClients: number;
  /** Capital: revenue of the portfolio's clients in the last 12 months, and in the 12 before. */
  revenue: number;
  previousRevenue: number;
  growth: number | null;
  openLeads: number;
  openAmount: number;
  /** Σ amount × probability ÷ 100 over the open leads. */
  weightedAmount: number;
  /** The most recent done interaction with any contact of the portfolio. */
  lastContactAt: Date | null;
  /** Active clients not contacted for 30 / 90 days (never contacted counts). */
  quietClients30: number;
  quietClients90: number;
};

/** The per-owner sums the SQL returns (and the domain computes), before the derived figures. */
export type OwnerTotals = {
  byLifecycle: Record<string, number>;
  purchases: number;
  buyingClients: number;
  revenue: number;
  previousRevenue: number;
  openLeads: number;
  openAmount: number;
  weightedAmount: number;
  lastContactAt: Date | null;
  quietClients30: number;
  quietClients90: number;
};

export const emptyTotals = (): OwnerTotals => ({
  byLifecycle: {}, purchases: 0, buyingClients: 0, revenue: 0, previousRevenue: 0,
  openLeads: 0, openAmount: 0, weightedAmount: 0, lastContactAt: null, quietClients30: 0, quietClients90: 0,
});

export const baseLifecycles = ['prospect', 'client', 'former'] as const;

export function ownerPortfolioFromTotals(userId: string, t: OwnerTotals, lifecycles: readonly string[] = baseLifecycles): OwnerPortfolio {
  const byLifecycle: Record<string, number> = {};
  for (const l of new Set([...lifecycles, ...Object.keys(t.byLifecycle)])) byLifecycle[l] = t.byLifecycle[l] ?? 0;
  const revenue = round2(t.revenue);
  const previousRevenue = round2(t.previousRevenue);
  return {
    userId, byLifecycle,
    contacts: Object.values(byLifecycle).reduce((a, n) => a + n, 0),
    clients: byLifecycle['client'] ?? 0,
    prospects: byLifecycle['prospect'] ?? 0,
    purchases: t.purchases, buyingClients: t.buyingClients,
    revenue, previousRevenue, growth: revenueGrowth(revenue, previousRevenue),
    openLeads: t.openLeads, openAmount: round2(t.openAmount), weightedAmount: round2(t.weightedAmount),
    lastContactAt: t.lastContactAt, quietClients30: t.quietClients30, quietClients90: t.quietClients90,
  };
}

export type PortfolioContactFact = {
  id: string; ownerId: string | null; companyId: string | null; lifecycle: string; status: 'active' | 'cancelled'; lastActivityAt: Date | null;
};
export type PortfolioCompanyFact = { id: string; ownerId: string | null };
export type PortfolioSaleFact = { contactId: string | null; companyId: string | null; soldAt: Date; total: number };
export type PortfolioLeadFact = { ownerId: string | null; status: 'open' | 'won' | 'lost' | 'cancelled'; amount: number; probability: number };

/** Whose portfolio a sale counts for: the owner of its contact, else of its company (null: nobody's). */
export function saleHolder(s: PortfolioSaleFact, contactOwner: ReadonlyMap<string, string | null>, companyOwner: ReadonlyMap<string, string | null>): string | null {
  if (s.contactId) return contactOwner.get(s.contactId) ?? null;
  if (s.companyId) return companyOwner.get(s.companyId) ?? null;
  return null;
}

/**
 * The portfolio of each of `userIds`, from the workspace's records. Active contacts make up the
 * portfolio's counts and last contact; sales count for their client's holder whatever the client's
 * status (a cancelled client still bought); only open leads are pipeline.
 */
export function ownerPortfolios(
  userIds: readonly string[],
  data: { contacts: readonly PortfolioContactFact[]; companies: readonly PortfolioCompanyFact[]; sales: readonly PortfolioSaleFact[]; leads: readonly PortfolioLeadFact[] },
  w: PortfolioWindows,
  lifecycles: readonly string[] = baseLifecycles,
): OwnerPortfolio[] {
  const totals = new Map(userIds.map((id) => [id, emptyTotals()]));
  const contactOwner = new Map(data.contacts.map((c) => [c.id, c.ownerId]));
  const companyOwner = new Map(data.companies.map((c) => [c.id, c.ownerId]));

  for (const c of data.contacts) {
    const t = c.ownerId ? totals.get(c.ownerId) : undefined;
    if (!t || c.status !== 'active') continue;
    t.byLifecycle[c.lifecycle] = (t.byLifecycle[c.lifecycle] ?? 0) + 1;
    if (c.lastActivityAt && (!t.lastContactAt || c.lastActivityAt > t.lastContactAt)) t.lastContactAt = c.lastActivityAt;
    if (c.lifecycle === 'client') {
      if (!c.lastActivityAt || c.lastActivityAt < w.quietBefore30) t.quietClients30++;
      if (!c.lastActivityAt || c.lastActivityAt < w.quietBefore90) t.quietClients90++;
    }
  }

  const buyers = new Map<string, Set<string>>();
  for (const s of data.sales) {
    const holder = saleHolder(s, contactOwner, companyOwner);
    const t = holder ? totals.get(holder) : undefined;
    if (!t) continue;
    if (s.soldAt >= w.current.from && s.soldAt < w.current.to) {
      t.revenue += s.total;
      t.purchases++;
      const set = buyers.get(holder!) ?? new Set<string>();
      set.add(clientKeyOf(s)!);
      buyers.set(holder!, set);
    } else if (s.soldAt >= w.previous.from && s.soldAt < w.previous.to) {
      t.previousRevenue += s.total;
    }
  }
  for (const [id, set] of buyers) totals.get(id)!.buyingClients = set.size;

  for (const l of data.leads) {
    const t = l.ownerId ? totals.get(l.ownerId) : undefined;
    if (!t || l.status !== 'open') continue;
    t.openLeads++;
    t.openAmount += l.amount;
    t.weightedAmount += (l.amount * l.probability) / 100;
  }
  return userIds.map((id) => ownerPortfolioFromTotals(id, totals.get(id)!, lifecycles));
}
