import { describe, expect, it } from 'vitest';
import { parsePeriod } from './period.js';
import { weeklyBySource, weeklyNewLeads, type NewLeadFact } from './weekly.js';

const p = parsePeriod('2026-11-01', '2026-11-30', 'Europe/Madrid');
const lead = (x: Partial<NewLeadFact>): NewLeadFact => ({ createdAt: new Date('2026-11-03T10:00:00Z'), status: 'open', sourceId: 'phone', productIds: [], neighbourhood: 'Chamberí', city: 'Madrid', ...x });

describe('weeklyNewLeads', () => {
  it('counts new leads per week × source × product × neighbourhood × city, once per product of interest', () => {
    const r = weeklyNewLeads([
      lead({ productIds: ['sofa', 'mesa'] }), lead({ productIds: ['sofa'] }), lead({ sourceId: null, neighbourhood: null, city: null }),
      lead({ createdAt: new Date('2026-11-10T10:00:00Z'), productIds: ['sofa'] }), lead({ status: 'cancelled' }),
    ], p);
    expect(r).toEqual([
      { week: '2026-11-02', sourceId: 'none', productId: 'none', neighbourhood: 'none', city: 'none', count: 1 },
      { week: '2026-11-02', sourceId: 'phone', productId: 'mesa', neighbourhood: 'Chamberí', city: 'Madrid', count: 1 },
      { week: '2026-11-02', sourceId: 'phone', productId: 'sofa', neighbourhood: 'Chamberí', city: 'Madrid', count: 2 },
      { week: '2026-11-09', sourceId: 'phone', productId: 'sofa', neighbourhood: 'Chamberí', city: 'Madrid', count: 1 },
    ]);
  });

  it('is empty for a period with no leads', () => {
    expect(weeklyNewLeads([lead({})], parsePeriod('2027-01-01', '2027-01-01', 'UTC'))).toEqual([]);
  });
});

describe('weeklyBySource', () => {
  it('adds up products and places per week and source, weeks then sources in order', () => {
    const rows = weeklyNewLeads([
      lead({ productIds: ['sofa', 'mesa'] }), lead({ productIds: ['sofa'], neighbourhood: 'Retiro' }), lead({ sourceId: null }),
      lead({ createdAt: new Date('2026-11-10T10:00:00Z'), sourceId: 'fair' }), lead({ status: 'cancelled' }),
    ], p);
    expect(weeklyBySource(rows)).toEqual([
      { week: '2026-11-02', sourceId: 'none', count: 1 },
      // The lead interested in two products counts under each, as in the table.
      { week: '2026-11-02', sourceId: 'phone', count: 3 },
      { week: '2026-11-09', sourceId: 'fair', count: 1 },
    ]);
  });

  it('is empty when the table is', () => {
    expect(weeklyBySource([])).toEqual([]);
  });
});
