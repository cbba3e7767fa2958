import { describe, expect, it } from 'vitest';
import { campaignCostInPeriod, costPerLead, type CampaignFact } from './cpl.js';
import { leadFact } from './fixtures.js';
import { parsePeriod } from './period.js';

const tz = 'Europe/Madrid';
const march = parsePeriod('2026-03-01', '2026-03-31', tz);
const camp = (p: Partial<CampaignFact>): CampaignFact => ({ id: 'c1', name: 'Feria', sourceId: 's1', startsOn: '2026-03-01', endsOn: '2026-03-31', createdAt: new Date('2026-01-01T00:00:00Z'), cost: 3100, ...p });

describe('campaignCostInPeriod', () => {
  it('spreads the cost evenly over the campaign days and takes the days inside the period', () => {
    expect(campaignCostInPeriod(camp({}), march)).toBe(3100);
    expect(campaignCostInPeriod(camp({ startsOn: '2026-03-22', endsOn: '2026-04-10', cost: 2000 }), march)).toBe(1000);
    expect(campaignCostInPeriod(camp({ startsOn: '2026-04-01', endsOn: '2026-04-30' }), march)).toBe(0);
  });

  it('reads a campaign without end as one day, and without start as the day it was created', () => {
    expect(campaignCostInPeriod(camp({ endsOn: null, startsOn: '2026-03-15' }), march)).toBe(3100);
    expect(campaignCostInPeriod(camp({ startsOn: null, endsOn: null, createdAt: new Date('2026-03-10T12:00:00Z') }), march)).toBe(3100);
    expect(campaignCostInPeriod(camp({ startsOn: null, endsOn: null, createdAt: new Date('2026-02-28T23:30:00Z') }), march)).toBe(3100); // 1 March in Madrid
  });

  it('takes one day of a month-long campaign for a one-day period', () => {
    expect(campaignCostInPeriod(camp({}), parsePeriod('2026-03-10', '2026-03-10', tz))).toBe(100);
  });
});

describe('costPerLead', () => {
  const leads = [
    leadFact({ createdAt: new Date('2026-03-02T10:00:00Z'), sourceId: 's1', campaignId: 'c1', status: 'won' }),
    leadFact({ createdAt: new Date('2026-03-03T10:00:00Z'), sourceId: 's1', campaignId: 'c1' }),
    leadFact({ createdAt: new Date('2026-03-04T10:00:00Z'), sourceId: 's2' }),
    leadFact({ createdAt: new Date('2026-03-04T10:00:00Z'), sourceId: 's2', status: 'cancelled' }),
  ];

  it('divides the costs in the period by the leads acquired, in total, per source and per campaign', () => {
    const r = costPerLead([camp({ cost: 300 }), camp({ id: 'c2', sourceId: null, cost: 0 })], leads, march);
    expect(r.total).toEqual({ key: 'all', cost: 300, leads: 3, won: 1, cpl: 100, costPerWon: 300 });
    expect(r.bySource).toEqual([
      { key: 'none', cost: 0, leads: 0, won: 0, cpl: null, costPerWon: null },
      { key: 's1', cost: 300, leads: 2, won: 1, cpl: 150, costPerWon: 300 },
      { key: 's2', cost: 0, leads: 1, won: 0, cpl: 0, costPerWon: null },
    ]);
    expect(r.byCampaign).toEqual([{ key: 'c1', cost: 300, leads: 2, won: 1, cpl: 150, costPerWon: 300 }]);
  });

  it('gives a null CPL for costs without leads and zero for leads without cost (never NaN)', () => {
    expect(costPerLead([camp({})], [], march).total.cpl).toBeNull();
    expect(costPerLead([], leads, march).total).toEqual({ key: 'all', cost: 0, leads: 3, won: 1, cpl: 0, costPerWon: 0 });
  });
});
