import { describe, expect, it } from 'vitest';
import { parsePeriod } from './period.js';
import { complaints, nps, type ComplaintFact } from './satisfaction.js';

const p = parsePeriod('2026-01-01', '2026-01-31', 'UTC');
const at = new Date('2026-01-15T10:00:00Z');

describe('nps', () => {
  it('is % promoters (9–10) minus % detractors (0–6) of the NPS answers', () => {
    const answers = [10, 9, 9, 8, 7, 6, 0, null].map((n) => ({ nps: n, satisfaction: null, answeredAt: at }));
    const r = nps(answers, p);
    expect(r).toMatchObject({ answers: 7, promoters: 3, passives: 2, detractors: 2 });
    expect(r.nps).toBe(14.3); // (3 − 2) ÷ 7 × 100
  });

  it('averages the satisfaction answers and ignores answers outside the period', () => {
    const r = nps([
      { nps: null, satisfaction: 5, answeredAt: at }, { nps: null, satisfaction: 4, answeredAt: at },
      { nps: 0, satisfaction: 1, answeredAt: new Date('2026-02-01T00:00:00Z') },
    ], p);
    expect(r.averageSatisfaction).toBe(4.5);
    expect(r.nps).toBeNull();
  });

  it('gives null, not NaN, without answers', () => {
    expect(nps([], p)).toMatchObject({ answers: 0, nps: null, averageSatisfaction: null });
  });
});

describe('complaints', () => {
  const c = (category: string, status: ComplaintFact['status'], hours: number | null): ComplaintFact => ({
    category, status, createdAt: at, resolvedAt: hours === null ? null : new Date(at.getTime() + hours * 3_600_000),
  });

  it('counts by category, open vs resolved, and takes the median hours to resolve', () => {
    const r = complaints([c('durability', 'resolved', 10), c('durability', 'open', null), c('quality_defect', 'resolved', 30), c('quality_defect', 'in_progress', null), c('other', 'resolved', 2)], p);
    expect(r).toMatchObject({ total: 5, open: 2, resolved: 3, medianHoursToResolve: 10 });
    expect(r.byCategory).toEqual([
      { category: 'durability', total: 2, open: 1, resolved: 1 }, { category: 'other', total: 1, open: 0, resolved: 1 },
      { category: 'quality_defect', total: 2, open: 1, resolved: 1 },
    ]);
  });

  it('has no median when nothing was resolved', () => {
    expect(complaints([c('other', 'open', null)], p).medianHoursToResolve).toBeNull();
    expect(complaints([], p)).toEqual({ total: 0, open: 0, resolved: 0, medianHoursToResolve: null, byCategory: [] });
  });
});
