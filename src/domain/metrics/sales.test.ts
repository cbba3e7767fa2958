import { describe, expect, it } from 'vitest';
import { parsePeriod } from './period.js';
import { clientKeyOf, frequencyAndIntensity, salesByClientType, type SaleFact } from './sales.js';

const tz = 'Europe/Madrid';
const q1 = parsePeriod('2026-01-01', '2026-03-31', tz);
const sale = (clientKey: string | null, day: string, total: number): SaleFact => ({ id: `${clientKey}-${day}-${total}`, clientKey, ownerId: 'u1', soldAt: new Date(`${day}T10:00:00Z`), total });

describe('salesByClientType', () => {
  const sales = [
    sale('contact:a', '2025-06-01', 100), sale('contact:a', '2026-02-01', 50), // existing
    sale('contact:b', '2026-01-10', 20), sale('contact:b', '2026-03-10', 30.1), // new: first sale in Q1
    sale(null, '2026-02-02', 5),
  ];
  const first = new Map([['contact:a', new Date('2025-06-01T10:00:00Z')], ['contact:b', new Date('2026-01-10T10:00:00Z')]]);

  it('counts every period sale of a client whose first-ever sale is in the period as new', () => {
    const r = salesByClientType(sales, first, q1);
    expect(r.newClients).toEqual({ clients: 1, count: 2, amount: 50.1 });
    expect(r.existingClients).toEqual({ clients: 1, count: 1, amount: 50 });
    expect(r.unattributed).toEqual({ count: 1, amount: 5 });
    expect(r.newAmountShare).toBeCloseTo(50.1 / 105.1, 10);
  });

  it('answers zeros and a null share for a workspace with no sales', () => {
    const r = salesByClientType([], new Map(), q1);
    expect(r.newClients).toEqual({ clients: 0, count: 0, amount: 0 });
    expect(r.newAmountShare).toBeNull();
  });

  it('names the client by contact first, then company', () => {
    expect(clientKeyOf({ contactId: 'x', companyId: 'y' })).toBe('contact:x');
    expect(clientKeyOf({ contactId: null, companyId: 'y' })).toBe('company:y');
    expect(clientKeyOf({ contactId: null, companyId: null })).toBeNull();
  });
});

describe('frequencyAndIntensity', () => {
  const sales = [sale('contact:a', '2026-01-05', 10), sale('contact:a', '2026-01-20', 30), sale('contact:b', '2026-01-21', 20), sale('contact:b', '2026-02-03', 7), sale(null, '2026-01-07', 99)];

  it('gives orders and amount per buying client per month, leaving out sales without client', () => {
    expect(frequencyAndIntensity(sales, q1, 'month')).toEqual([
      { bucket: '2026-01-01', orders: 3, clients: 2, amount: 60, frequency: 1.5, intensity: 30 },
      { bucket: '2026-02-01', orders: 1, clients: 1, amount: 7, frequency: 1, intensity: 7 },
    ]);
  });

  it('buckets by ISO week and by quarter', () => {
    expect(frequencyAndIntensity(sales, q1, 'week').map((r) => r.bucket)).toEqual(['2026-01-05', '2026-01-19', '2026-02-02']);
    expect(frequencyAndIntensity(sales, q1, 'quarter')).toEqual([{ bucket: '2026-01-01', orders: 4, clients: 2, amount: 67, frequency: 2, intensity: 33.5 }]);
  });

  it('is empty for an empty period', () => {
    expect(frequencyAndIntensity(sales, parsePeriod('2026-03-01', '2026-03-01', tz), 'week')).toEqual([]);
  });
});
