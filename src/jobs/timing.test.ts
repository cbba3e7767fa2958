import { describe, expect, it } from 'vitest';
import { dailyRun, localTimeOn, MAX_RETRY_DELAY_MS, retryDelayMs } from './timing.js';

describe('retry backoff', () => {
  it('doubles the wait after each failed attempt: 1, 2, 4, 8 minutes', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n) / 60_000)).toEqual([1, 2, 4, 8]);
  });

  it('never waits longer than the cap, even after many attempts', () => {
    expect(retryDelayMs(50)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(10)).toBe(MAX_RETRY_DELAY_MS);
  });
});

describe('daily runs in the workspace time zone', () => {
  it('is not due before the local hour and is due from it on, with the local date', () => {
    // 01:59 UTC is 02:59 in Madrid in winter (UTC+1).
    expect(dailyRun(new Date('2026-11-23T01:59:00Z'), 'Europe/Madrid', 3)).toBeNull();
    const run = dailyRun(new Date('2026-11-23T02:00:00Z'), 'Europe/Madrid', 3);
    expect(run).toEqual({ date: '2026-11-23', runAt: new Date('2026-11-23T02:00:00Z') });
  });

  it('returns the same run (same date) for every later tick of that local day', () => {
    const a = dailyRun(new Date('2026-11-23T02:05:00Z'), 'Europe/Madrid', 3);
    const b = dailyRun(new Date('2026-11-23T22:59:00Z'), 'Europe/Madrid', 3);
    expect(b).toEqual(a);
    // 23:00 UTC is already the 24th in Madrid: a new day, a new run.
    expect(dailyRun(new Date('2026-11-23T23:30:00Z'), 'Europe/Madrid', 3)).toBeNull();
  });

  it('uses the summer offset on the spring DST change day', () => {
    // 2026-03-29: clocks go from 02:00 to 03:00 in Madrid; 03:00 CEST is 01:00 UTC.
    expect(localTimeOn(new Date('2026-03-29T12:00:00Z'), 'Europe/Madrid', 3).at.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    // 08:00 on the autumn change day (25 October) is 08:00 CET, 07:00 UTC.
    expect(localTimeOn(new Date('2026-10-25T12:00:00Z'), 'Europe/Madrid', 8).at.toISOString()).toBe('2026-10-25T07:00:00.000Z');
  });

  it('follows the workspace zone, not the server zone', () => {
    const run = dailyRun(new Date('2026-11-23T13:00:00Z'), 'America/Mexico_City', 7);
    expect(run?.runAt.toISOString()).toBe('2026-11-23T13:00:00.000Z');
  });
});
