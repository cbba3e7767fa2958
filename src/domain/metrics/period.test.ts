import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { addDays, bucketStart, localDay, median, parsePeriod, ratio, weekSpans, zonedMidnight } from './period.js';

const fieldsOf = (fn: () => unknown) => {
  try { fn(); } catch (e) { if (e instanceof AppError) return e.fields.map((f) => `${f.field}/${f.code}`); throw e; }
  throw new Error('expected an AppError');
};

describe('period', () => {
  it('turns local days into instants at local midnight, across a DST change', () => {
    const p = parsePeriod('2026-03-01', '2026-03-31', 'Europe/Madrid');
    expect(p.from.toISOString()).toBe('2026-02-28T23:00:00.000Z');
    // Summer time starts on 29 March: 1 April begins at 22:00 UTC.
    expect(p.to.toISOString()).toBe('2026-03-31T22:00:00.000Z');
  });

  it('makes a one-day period exactly that local day', () => {
    const p = parsePeriod('2026-06-15', '2026-06-15', 'Europe/Madrid');
    expect(p.to.getTime() - p.from.getTime()).toBe(86_400_000);
    expect(localDay(p.from, 'Europe/Madrid')).toBe('2026-06-15');
  });

  it('refuses a reversed range naming `to`, and malformed or missing days naming their field', () => {
    expect(fieldsOf(() => parsePeriod('2026-02-01', '2026-01-01', 'UTC'))).toEqual(['to/before_from']);
    expect(fieldsOf(() => parsePeriod('2026-02-30', 'yesterday', 'UTC'))).toEqual(['from/invalid_format', 'to/invalid_format']);
    expect(fieldsOf(() => parsePeriod(undefined, '2026-01-01', 'UTC'))).toEqual(['from/required']);
    expect(fieldsOf(() => parsePeriod('2026-13-01', '2026-01-01', 'UTC'))).toEqual(['from/invalid_format']);
    expect(fieldsOf(() => parsePeriod('2000-01-01', '2026-01-01', 'UTC'))).toEqual(['to/too_long']);
  });

  it('buckets days into ISO weeks (Monday), months and quarters', () => {
    expect(bucketStart('2026-11-22', 'week')).toBe('2026-11-16'); // a Sunday
    expect(bucketStart('2026-11-23', 'week')).toBe('2026-11-23'); // a Monday
    expect(bucketStart('2026-01-01', 'week')).toBe('2025-12-29');
    expect(bucketStart('2026-11-23', 'month')).toBe('2026-11-01');
    expect(bucketStart('2026-11-23', 'quarter')).toBe('2026-10-01');
    expect(bucketStart('2026-03-31', 'quarter')).toBe('2026-01-01');
  });

  it('reads the local day of an instant in the zone, not in UTC', () => {
    expect(localDay(new Date('2026-11-22T23:30:00Z'), 'Europe/Madrid')).toBe('2026-11-23');
    expect(zonedMidnight('2026-11-23', 'America/Bogota').toISOString()).toBe('2026-11-23T05:00:00.000Z');
  });

  it('gives null, never NaN or Infinity, for a zero denominator', () => {
    expect(ratio(0, 0)).toBeNull();
    expect(ratio(5, 0)).toBeNull();
    expect(ratio(1, 4)).toBe(0.25);
  });

  it('takes the median as the mean of the two middle values for an even count', () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
  });
});

describe('addDays', () => {
  it('adds and subtracts calendar days across months, years and leap days', () => {
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});

describe('weekSpans', () => {
  it('keeps the whole Monday-to-Sunday weeks of a range and hands back the ragged days at both ends', () => {
    // 2026-01-01 is a Thursday; 2026-01-05 and 2026-02-02 are Mondays.
    expect(weekSpans('2026-01-01', '2026-02-04')).toEqual({ weeks: ['2026-01-05', '2026-02-02'], edges: [['2026-01-01', '2026-01-05'], ['2026-02-02', '2026-02-04']] });
  });

  it('has no edges when the range starts on a Monday and ends before one', () => {
    expect(weekSpans('2026-01-05', '2026-01-19')).toEqual({ weeks: ['2026-01-05', '2026-01-19'], edges: [] });
  });

  it('answers days only for a range shorter than a whole week, and nothing for an empty range', () => {
    expect(weekSpans('2026-01-07', '2026-01-12')).toEqual({ weeks: null, edges: [['2026-01-07', '2026-01-12']] });
    expect(weekSpans('2026-01-07', '2026-01-08')).toEqual({ weeks: null, edges: [['2026-01-07', '2026-01-08']] });
    expect(weekSpans('2026-01-07', '2026-01-07')).toEqual({ weeks: null, edges: [] });
  });
});
