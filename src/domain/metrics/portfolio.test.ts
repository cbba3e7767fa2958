import { describe, expect, it } from 'vitest';
import { leadFact } from './fixtures.js';
import { parsePeriod } from './period.js';
import { pipeline, portfolio, winRate } from './portfolio.js';
import type { SaleFact } from './sales.js';

const p = parsePeriod('2026-01-01', '2026-12-31', 'Europe/Madrid');
const sale = (clientKey: string | null, total: number, day = '2026-05-01'): SaleFact => ({ id: `${clientKey}${total}`, clientKey, ownerId: null, soldAt: new Date(`${day}T10:00:00Z`), total });

describe('portfolio', () => {
  it('counts active clients and prospects, revenue per buying client, average basket and top clients', () => {
    const contacts = [
      { lifecycle: 'client', status: 'active' }, { lifecycle: 'client', status: 'cancelled' }, { lifecycle: 'prospect', status: 'active' }, { lifecycle: 'former', status: 'active' },
    ] as const;
    const r = portfolio(contacts, [sale('contact:a', 100), sale('contact:a', 50), sale('company:b', 150), sale(null, 20), sale('contact:c', 1, '2025-01-01')], p);
    expect(r).toMatchObject({ clients: 1, prospects: 1, buyingClients: 2, salesCount: 4, salesAmount: 320, revenuePerClient: 150, averageBasket: 80 });
    // equal revenue: ordered by key so the list is stable
    expect(r.topClients).toEqual([{ clientKey: 'company:b', amount: 150, count: 1 }, { clientKey: 'contact:a', amount: 150, count: 2 }]);
  });

  it('gives null per-client figures for a workspace with no sales', () => {
    expect(portfolio([], [], p)).toMatchObject({ salesCount: 0, revenuePerClient: null, averageBasket: null, topClients: [] });
  });
});

describe('pipeline', () => {
  it('sums open amounts and probability-weighted amounts per stage, owner and expected close month', () => {
    const r = pipeline([
      leadFact({ amount: 1000, probability: 20, stageId: 'cold', expectedCloseDate: '2026-12-05' }),
      leadFact({ amount: 500, probability: 50, stageId: 'hot', ownerId: null }),
      leadFact({ amount: 9999, probability: 100, status: 'won' }),
    ]);
    expect(r.total).toEqual({ key: 'all', count: 2, amount: 1500, weighted: 450 });
    expect(r.byStage).toEqual([{ key: 'cold', count: 1, amount: 1000, weighted: 200 }, { key: 'hot', count: 1, amount: 500, weighted: 250 }]);
    expect(r.byOwner.map((x) => x.key)).toEqual(['none', 'u1']);
    expect(r.byCloseMonth.map((x) => x.key)).toEqual(['2026-12', 'none']);
  });
});

describe('winRate', () => {
  it('divides won by won + lost among leads closed in the period and averages the days to win', () => {
    const created = new Date('2026-03-01T10:00:00Z');
    const r = winRate([
      leadFact({ status: 'won', createdAt: created, closedAt: new Date('2026-03-11T10:00:00Z') }),
      leadFact({ status: 'won', createdAt: created, closedAt: new Date('2026-03-21T10:00:00Z') }),
      leadFact({ status: 'lost', createdAt: created, closedAt: new Date('2026-03-05T10:00:00Z') }),
      leadFact({ status: 'won', createdAt: created, closedAt: new Date('2027-01-05T10:00:00Z') }),
    ], p);
    expect(r).toEqual({ won: 2, lost: 1, winRate: 2 / 3, averageCycleDays: 15 });
  });

  it('gives null rate and cycle when nothing closed', () => {
    expect(winRate([leadFact({})], p)).toEqual({ won: 0, lost: 0, winRate: null, averageCycleDays: null });
  });
});
