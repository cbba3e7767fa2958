import { describe, expect, it } from 'vitest';
import { DEFAULT_RETENTION_DAYS, isPastRetention, retentionCutoff, retentionDaysOf } from './retention.js';

const now = new Date('2026-11-23T03:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);

describe('retention', () => {
  it('keeps a record cancelled 364 days ago and purges one cancelled 366 days ago', () => {
    expect(isPastRetention(daysAgo(364), now, 365)).toBe(false);
    expect(isPastRetention(daysAgo(366), now, 365)).toBe(true);
  });

  it('keeps a record cancelled exactly retentionDays ago (purges only strictly after)', () => {
    expect(isPastRetention(daysAgo(365), now, 365)).toBe(false);
    expect(isPastRetention(new Date(daysAgo(365).getTime() - 1), now, 365)).toBe(true);
  });

  it('never purges a record without a cancellation date', () => {
    expect(isPastRetention(null, now, 1)).toBe(false);
  });

  it('computes the cutoff in whole 24-hour days, unaffected by daylight saving changes', () => {
    // 2026-03-29 is the spring DST change in Madrid; the cutoff is still exactly 30 × 24 h earlier.
    const april = new Date('2026-04-10T10:00:00Z');
    expect(retentionCutoff(april, 30).toISOString()).toBe('2026-03-11T10:00:00.000Z');
  });

  it('reads retentionDays from the workspace settings, defaulting to 365', () => {
    expect(DEFAULT_RETENTION_DAYS).toBe(365);
    expect(retentionDaysOf({})).toBe(365);
    expect(retentionDaysOf(null)).toBe(365);
    expect(retentionDaysOf({ retentionDays: 90 })).toBe(90);
  });

  it('falls back to the default instead of a shorter period when the setting is invalid', () => {
    for (const bad of [0, -5, 1.5, '30', null, 100_000]) expect(retentionDaysOf({ retentionDays: bad })).toBe(365);
  });

  it('refuses to compute a cutoff from a non-positive period', () => {
    expect(() => retentionCutoff(now, 0)).toThrow(RangeError);
  });
});
