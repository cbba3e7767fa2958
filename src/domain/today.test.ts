import { describe, expect, it } from 'vitest';
import { cadenceDaysOf, dayRange, isValidTimeZone, staleBefore, startOfLocalDay, zoneOffsetMs } from './today.js';

const hours = (r: { start: Date; end: Date }) => (r.end.getTime() - r.start.getTime()) / 3_600_000;

describe('dayRange', () => {
  it('gives the Madrid winter day from local midnight to local midnight (UTC+1)', () => {
    const r = dayRange(new Date('2026-01-15T10:00:00Z'), 'Europe/Madrid');
    expect(r.date).toBe('2026-01-15');
    expect(r.start.toISOString()).toBe('2026-01-14T23:00:00.000Z');
    expect(r.end.toISOString()).toBe('2026-01-15T23:00:00.000Z');
  });

  it('gives the Madrid summer day offset by two hours (UTC+2)', () => {
    const r = dayRange(new Date('2026-07-01T12:00:00Z'), 'Europe/Madrid');
    expect(r.start.toISOString()).toBe('2026-06-30T22:00:00.000Z');
    expect(hours(r)).toBe(24);
  });

  it('makes the spring-forward day in Madrid 23 hours long', () => {
    const r = dayRange(new Date('2026-03-29T09:00:00Z'), 'Europe/Madrid');
    expect(r.date).toBe('2026-03-29');
    expect(r.start.toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(r.end.toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(hours(r)).toBe(23);
  });

  it('makes the fall-back day in Madrid 25 hours long', () => {
    const r = dayRange(new Date('2026-10-25T20:00:00Z'), 'Europe/Madrid');
    expect(r.date).toBe('2026-10-25');
    expect(r.start.toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(r.end.toISOString()).toBe('2026-10-25T23:00:00.000Z');
    expect(hours(r)).toBe(25);
  });

  it('puts 23:30 UTC on the next local day in Madrid', () => {
    const r = dayRange(new Date('2026-01-15T23:30:00Z'), 'Europe/Madrid');
    expect(r.date).toBe('2026-01-16');
  });

  it('puts an instant exactly at local midnight at the start of its day', () => {
    const r = dayRange(new Date('2026-01-14T23:00:00Z'), 'Europe/Madrid');
    expect(r.date).toBe('2026-01-15');
    expect(r.start.toISOString()).toBe('2026-01-14T23:00:00.000Z');
  });

  it('works west of UTC and across a month end', () => {
    const r = dayRange(new Date('2026-02-01T03:00:00Z'), 'America/Mexico_City');
    expect(r.date).toBe('2026-01-31');
    expect(r.start.toISOString()).toBe('2026-01-31T06:00:00.000Z');
    expect(r.end.toISOString()).toBe('2026-02-01T06:00:00.000Z');
  });

  it('handles a zone whose midnight falls in a DST gap by starting at the first existing instant', () => {
    // Santiago de Chile springs forward at local midnight: 2026-09-06 00:00 does not exist.
    const start = startOfLocalDay(2026, 9, 6, 'America/Santiago');
    expect(zoneOffsetMs(start, 'America/Santiago')).toBe(-3 * 3_600_000);
    expect(start.toISOString()).toBe('2026-09-06T04:00:00.000Z');
    expect(dayRange(new Date('2026-09-06T12:00:00Z'), 'America/Santiago').start).toEqual(start);
  });
});

describe('cadence and zones', () => {
  it('uses the workspace cadence when it is a sensible whole number of days, else 7', () => {
    expect(cadenceDaysOf({ cadenceDays: 14 })).toBe(14);
    expect(cadenceDaysOf({ cadenceDays: 0 })).toBe(7);
    expect(cadenceDaysOf({ cadenceDays: '3' })).toBe(7);
    expect(cadenceDaysOf(undefined)).toBe(7);
  });

  it('computes the stale threshold as now minus the cadence', () => {
    expect(staleBefore(new Date('2026-01-15T10:00:00Z'), 7).toISOString()).toBe('2026-01-08T10:00:00.000Z');
  });

  it('recognises IANA zone names and refuses nonsense', () => {
    expect(isValidTimeZone('Europe/Madrid')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});
