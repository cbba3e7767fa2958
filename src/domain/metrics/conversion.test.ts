import { describe, expect, it } from 'vitest';
import { conversion, stageConversion, type StageDef } from './conversion.js';
import { leadFact } from './fixtures.js';
import { parsePeriod } from './period.js';

const tz = 'Europe/Madrid';
const period = parsePeriod('2026-01-01', '2026-03-31', tz);

describe('conversion', () => {
  it('divides the cohort won (by now) by the leads created in the period', () => {
    const leads = [
      leadFact({ status: 'won' }), leadFact({ status: 'lost' }), leadFact({}), leadFact({ status: 'won' }),
      leadFact({ status: 'won', createdAt: new Date('2025-12-31T22:59:00Z') }), // 23:59 local on 31 Dec: before the period
      leadFact({ status: 'cancelled' }),
    ];
    expect(conversion(leads, period)).toEqual([{ key: 'all', created: 4, won: 2, rate: 0.5 }]);
  });

  it('answers zero leads and a null rate for an empty period', () => {
    expect(conversion([], period)).toEqual([{ key: 'all', created: 0, won: 0, rate: null }]);
  });

  it('splits by source, owner and creation month, with "none" for a lead without source', () => {
    const leads = [leadFact({ status: 'won', sourceId: null }), leadFact({ sourceId: 's2', ownerId: 'u2', createdAt: new Date('2026-03-05T10:00:00Z') }), leadFact({ status: 'won' })];
    expect(conversion(leads, period, 'source')).toEqual([
      { key: 'none', created: 1, won: 1, rate: 1 }, { key: 's1', created: 1, won: 1, rate: 1 }, { key: 's2', created: 1, won: 0, rate: 0 },
    ]);
    expect(conversion(leads, period, 'owner').map((r) => [r.key, r.created])).toEqual([['u1', 2], ['u2', 1]]);
    expect(conversion(leads, period, 'period', 'month').map((r) => [r.key, r.created, r.won])).toEqual([['2026-02-01', 2, 2], ['2026-03-01', 1, 0]]);
  });

  it('counts future-dated leads inside a period that reaches the future', () => {
    const future = parsePeriod('2030-01-01', '2030-12-31', tz);
    expect(conversion([leadFact({ createdAt: new Date('2030-06-01T00:00:00Z') })], future)[0]!.created).toBe(1);
  });
});

describe('stageConversion', () => {
  const stages: StageDef[] = [
    { id: 'cold', name: 'Frío', position: 1, kind: 'open' }, { id: 'warm', name: 'Templado', position: 2, kind: 'open' },
    { id: 'hot', name: 'Caliente', position: 3, kind: 'open' }, { id: 'won', name: 'Ganado', position: 4, kind: 'won' },
    { id: 'lost', name: 'Perdido', position: 5, kind: 'lost' },
  ];

  it('gives the share reaching each step among those that reached the previous one', () => {
    const reached = new Map([
      ['a', ['cold']], ['b', ['cold', 'warm']], ['c', ['cold', 'warm', 'hot', 'won']], ['d', ['cold', 'warm', 'lost']],
    ]);
    expect(stageConversion(stages, reached).map((s) => [s.stageId, s.reached, s.rate])).toEqual([
      ['cold', 4, null], ['warm', 3, 0.75], ['hot', 1, 1 / 3], ['won', 1, 1],
    ]);
  });

  it('counts a skipped stage as reached', () => {
    const reached = new Map([['a', ['cold', 'won']], ['b', ['hot']]]);
    expect(stageConversion(stages, reached).map((s) => s.reached)).toEqual([2, 2, 2, 1]);
  });

  it('gives null rates after a step nobody reached, and no lost stage as a step', () => {
    const steps = stageConversion(stages, new Map([['a', ['cold']]]));
    expect(steps.map((s) => s.rate)).toEqual([null, 0, null, null]);
    expect(steps.some((s) => s.stageId === 'lost')).toBe(false);
    expect(stageConversion(stages, new Map()).every((s) => s.reached === 0)).toBe(true);
  });
});
