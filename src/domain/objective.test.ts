import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { assertObjective, objectiveProgress } from './objective.js';

const q1 = { metric: 'sales_amount' as const, target: 9000, periodStart: '2026-01-01', periodEnd: '2026-03-31' }; // 90 days
const fieldOf = (fn: () => unknown) => { try { fn(); } catch (e) { if (e instanceof AppError) return e.fields[0]?.field; } return null; };

describe('objectiveProgress', () => {
  it('expects the elapsed share of the target on a steady pace', () => {
    const p = objectiveProgress(q1, 2000, '2026-01-30'); // 30 of 90 days
    expect(p.elapsedShare).toBeCloseTo(1 / 3, 10);
    expect(p.expected).toBe(3000);
    expect(p.share).toBeCloseTo(2000 / 9000, 10);
    expect(p.status).toBe('behind');
    expect(objectiveProgress(q1, 3500, '2026-01-30').status).toBe('on_pace');
  });

  it('is achieved once the target is reached, even early', () => {
    expect(objectiveProgress(q1, 9000, '2026-02-01').status).toBe('achieved');
  });

  it('expects nothing before the period and the whole target after it', () => {
    expect(objectiveProgress(q1, 0, '2025-12-01')).toMatchObject({ elapsedShare: 0, expected: 0, status: 'on_pace' });
    expect(objectiveProgress(q1, 100, '2026-06-01')).toMatchObject({ elapsedShare: 1, expected: 9000, status: 'behind' });
  });

  it('counts a one-day period as fully elapsed on its day', () => {
    expect(objectiveProgress({ ...q1, periodEnd: '2026-01-01' }, 0, '2026-01-01').elapsedShare).toBe(1);
  });

  it('holds an NPS target as a level from day one, and has no share without answers', () => {
    const nps = { metric: 'nps' as const, target: 40, periodStart: '2026-01-01', periodEnd: '2026-12-31' };
    expect(objectiveProgress(nps, 35, '2026-02-01')).toMatchObject({ expected: 40, status: 'behind' });
    expect(objectiveProgress(nps, null, '2026-02-01')).toMatchObject({ share: null, status: 'behind' });
  });

  it('gives a null share, not Infinity, for a zero target', () => {
    expect(objectiveProgress({ ...q1, target: 0 }, 5, '2026-01-10')).toMatchObject({ share: null, status: 'achieved' });
  });
});

describe('assertObjective', () => {
  it('wants exactly one of user and team, an ordered period and a sensible target', () => {
    expect(fieldOf(() => assertObjective({ ...q1, userId: 'u', teamId: 't' }))).toBe('userId');
    expect(fieldOf(() => assertObjective({ ...q1 }))).toBe('userId');
    expect(fieldOf(() => assertObjective({ ...q1, userId: 'u', periodEnd: '2025-01-01' }))).toBe('periodEnd');
    expect(fieldOf(() => assertObjective({ ...q1, userId: 'u', metric: 'nps', target: 150 }))).toBe('target');
    expect(fieldOf(() => assertObjective({ ...q1, userId: 'u', target: -1 }))).toBe('target');
    expect(fieldOf(() => assertObjective({ ...q1, userId: 'u' }))).toBeNull();
  });
});
