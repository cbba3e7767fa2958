import { describe, expect, it } from 'vitest';
import { ownerPortfolios, portfolioWindows, revenueGrowth, saleHolder, type PortfolioContactFact } from './portfolio-owner.js';

const now = new Date('2026-11-23T10:00:00Z');
const w = portfolioWindows(now, 'Europe/Madrid');
const days = (n: number) => new Date(now.getTime() - n * 86_400_000);
const contact = (id: string, ownerId: string | null, lifecycle: string, lastActivityAt: Date | null, status: 'active' | 'cancelled' = 'active', companyId: string | null = null): PortfolioContactFact =>
  ({ id, ownerId, lifecycle, lastActivityAt, status, companyId });

describe('portfolio windows', () => {
  it('cover the last 365 local days with today, and the 365 before, back to back', () => {
    expect(w.current.to.toISOString()).toBe('2026-11-23T23:00:00.000Z');
    expect(w.current.from.toISOString()).toBe('2025-11-23T23:00:00.000Z');
    expect(w.previous.to).toEqual(w.current.from);
    expect(w.previous.from.toISOString()).toBe('2024-11-23T23:00:00.000Z');
    expect(w.quietBefore30).toEqual(days(30));
  });
});

describe('revenue growth', () => {
  it('is the change over the previous window, and "—" (null) without a base', () => {
    expect(revenueGrowth(150, 100)).toBe(0.5);
    expect(revenueGrowth(50, 100)).toBe(-0.5);
    expect(revenueGrowth(100, 0)).toBeNull();
    expect(revenueGrowth(0, 0)).toBeNull();
  });
});

describe('sale holder', () => {
  it('is the contact owner, else the company owner, else nobody', () => {
    const contacts = new Map([['k1', 'ana']]);
    const companies = new Map([['c1', 'luis']]);
    expect(saleHolder({ contactId: 'k1', companyId: 'c1', soldAt: now, total: 1 }, contacts, companies)).toBe('ana');
    expect(saleHolder({ contactId: null, companyId: 'c1', soldAt: now, total: 1 }, contacts, companies)).toBe('luis');
    expect(saleHolder({ contactId: null, companyId: null, soldAt: now, total: 1 }, contacts, companies)).toBeNull();
  });
});

describe('owner portfolios', () => {
  const data = {
    contacts: [
      contact('k1', 'ana', 'client', days(10)),
      contact('k2', 'ana', 'client', days(45)),
      contact('k3', 'ana', 'client', null),
      contact('k4', 'ana', 'prospect', days(1)),
      contact('k5', 'ana', 'client', days(2), 'cancelled'),
      contact('k6', 'luis', 'former', days(200)),
    ],
    companies: [{ id: 'c1', ownerId: 'ana' }],
    sales: [
      { contactId: 'k1', companyId: null, soldAt: days(5), total: 100.1 },
      { contactId: 'k1', companyId: null, soldAt: days(100), total: 200.2 },
      { contactId: null, companyId: 'c1', soldAt: days(20), total: 50 },
      { contactId: 'k5', companyId: null, soldAt: days(30), total: 10 },
      { contactId: 'k2', companyId: null, soldAt: days(400), total: 300 },
      { contactId: 'k6', companyId: null, soldAt: days(800), total: 999 },
      { contactId: null, companyId: null, soldAt: days(3), total: 77 },
    ],
    leads: [
      { ownerId: 'ana', status: 'open' as const, amount: 1000, probability: 25 },
      { ownerId: 'ana', status: 'open' as const, amount: 500, probability: 50 },
      { ownerId: 'ana', status: 'won' as const, amount: 9999, probability: 100 },
      { ownerId: null, status: 'open' as const, amount: 5, probability: 5 },
    ],
  };
  const [ana, luis, nobody] = ownerPortfolios(['ana', 'luis', 'eva'], data, w);

  it('counts active contacts by lifecycle, cancelled ones left out', () => {
    expect(ana!.byLifecycle).toEqual({ prospect: 1, client: 3, former: 0 });
    expect(ana!).toMatchObject({ contacts: 4, clients: 3, prospects: 1 });
  });

  it('adds the sales of the clients it holds now: volume, capital and growth', () => {
    // k1 twice, company c1 once, and the cancelled client k5 (it still bought).
    expect(ana!).toMatchObject({ purchases: 4, buyingClients: 3, revenue: 360.3, previousRevenue: 300 });
    expect(ana!.growth).toBeCloseTo(0.201, 3);
  });

  it('weights the open pipeline by probability and leaves closed leads out', () => {
    expect(ana!).toMatchObject({ openLeads: 2, openAmount: 1500, weightedAmount: 500 });
  });

  it('gives the last contact and the clients quiet for 30 and 90 days (never contacted counts)', () => {
    expect(ana!.lastContactAt).toEqual(days(1));
    expect(ana!.quietClients30).toBe(2);
    expect(ana!.quietClients90).toBe(1);
  });

  it('shows "—" growth when there was nothing to compare with', () => {
    expect(luis!).toMatchObject({ revenue: 0, previousRevenue: 0, growth: null, contacts: 1, clients: 0 });
  });

  it('answers zeros for a user with no portfolio', () => {
    expect(nobody!).toMatchObject({ userId: 'eva', contacts: 0, purchases: 0, revenue: 0, openLeads: 0, lastContactAt: null, growth: null });
  });
});
