import { describe, expect, it } from 'vitest';
import { composeWeeklySummary, isWeeklySummaryTimely, weeklySummaryJobId, weeklySummaryRun, WEEKLY_SUMMARY_MAX_ROWS, type WeeklySummaryInput } from './weekly-summary.js';

const empty: WeeklySummaryInput = {
  from: '2026-11-16', to: '2026-11-22', scope: 'team', sales: { count: 0, amount: 0 }, objectives: [], newLeadsBySource: [],
  conversion: { created: 0, won: 0 }, closed: { won: 0, lost: 0 }, nps: { nps: null, answers: 0 }, overdueBySalesperson: [],
};

describe('weeklySummaryRun', () => {
  it('reports the Monday-to-Sunday week before the Monday of the current local week, sent at 08:00 local', () => {
    // Monday 23 November 2026, 07:30 UTC = 08:30 in Madrid.
    const r = weeklySummaryRun(new Date('2026-11-23T07:30:00Z'), 'Europe/Madrid');
    expect(r).toEqual({ monday: '2026-11-23', planAt: new Date('2026-11-22T23:00:00Z'), sendAt: new Date('2026-11-23T07:00:00Z'), from: '2026-11-16', to: '2026-11-22' });
  });

  it('keeps the same run for every day of the week, Sunday night included', () => {
    const sunday = weeklySummaryRun(new Date('2026-11-29T22:30:00Z'), 'Europe/Madrid'); // 23:30 Sunday in Madrid
    expect(sunday.monday).toBe('2026-11-23');
    const mondayInMadrid = weeklySummaryRun(new Date('2026-11-29T23:30:00Z'), 'Europe/Madrid'); // 00:30 Monday 30th
    expect(mondayInMadrid.monday).toBe('2026-11-30');
  });

  it('reads 08:00 on the wall clock of the zone, across a DST change', () => {
    // Monday 30 March 2026 in Madrid is summer time (UTC+2).
    expect(weeklySummaryRun(new Date('2026-03-30T12:00:00Z'), 'Europe/Madrid').sendAt).toEqual(new Date('2026-03-30T06:00:00Z'));
    expect(weeklySummaryRun(new Date('2026-11-23T15:00:00Z'), 'America/Mexico_City').sendAt).toEqual(new Date('2026-11-23T14:00:00Z'));
  });
});

describe('isWeeklySummaryTimely', () => {
  it('is true on Monday from 08:00 until 12 hours later, false before, after, or on another day', () => {
    expect(isWeeklySummaryTimely(new Date('2026-11-23T06:30:00Z'), '2026-11-23', 'Europe/Madrid')).toBe(false);
    expect(isWeeklySummaryTimely(new Date('2026-11-23T07:00:00Z'), '2026-11-23', 'Europe/Madrid')).toBe(true);
    expect(isWeeklySummaryTimely(new Date('2026-11-23T18:59:00Z'), '2026-11-23', 'Europe/Madrid')).toBe(true);
    expect(isWeeklySummaryTimely(new Date('2026-11-23T19:00:00Z'), '2026-11-23', 'Europe/Madrid')).toBe(false);
    expect(isWeeklySummaryTimely(new Date('2026-11-24T07:00:00Z'), '2026-11-23', 'Europe/Madrid')).toBe(false);
  });
});

describe('composeWeeklySummary', () => {
  it('sends nothing for a week with nothing to report', () => {
    expect(composeWeeklySummary(empty)).toBeNull();
  });

  it('computes conversion and win rate, "—" (null) with nothing to divide', () => {
    const s = composeWeeklySummary({ ...empty, conversion: { created: 8, won: 2 }, closed: { won: 3, lost: 1 }, newLeadsBySource: [{ id: 'a', name: 'Web', count: 8 }] })!;
    expect(s.conversionRate).toBe(0.25);
    expect(s.winRate).toBe(0.75);
    const none = composeWeeklySummary({ ...empty, sales: { count: 1, amount: 100 } })!;
    expect(none.conversionRate).toBeNull();
    expect(none.winRate).toBeNull();
  });

  it('lists sources and salespeople by count, biggest first, leaving out zeros and counting what is cut', () => {
    const many = Array.from({ length: WEEKLY_SUMMARY_MAX_ROWS + 3 }, (_, i) => ({ id: `u${i}`, name: `Comercial ${String(i).padStart(2, '0')}`, count: i }));
    const s = composeWeeklySummary({ ...empty, overdueBySalesperson: many })!;
    expect(s.overdue.bySalesperson[0]).toEqual({ id: `u${WEEKLY_SUMMARY_MAX_ROWS + 2}`, name: `Comercial ${WEEKLY_SUMMARY_MAX_ROWS + 2}`, count: WEEKLY_SUMMARY_MAX_ROWS + 2 });
    expect(s.overdue.bySalesperson).toHaveLength(WEEKLY_SUMMARY_MAX_ROWS);
    expect(s.overdue.more).toBe(2); // 13 rows, one of them zero
    expect(s.overdue.total).toBe(many.reduce((a, r) => a + r.count, 0));
  });

  it('gives one job id per recipient and week', () => {
    expect(weeklySummaryJobId('2026-11-23', 'u1')).toBe('weekly-summary:2026-11-23:u1');
  });
});
