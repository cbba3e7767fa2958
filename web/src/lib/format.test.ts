import { describe, expect, it } from 'vitest';
import { localeTag, makeFormatters, toZonedInputs, zonedDate, zonedToIso } from './format.js';

describe('format', () => {
  it('shows money in the workspace currency with the user language conventions', () => {
    const es = makeFormatters({ locale: 'es-ES', timeZone: 'Europe/Madrid', currency: 'EUR' });
    const en = makeFormatters({ locale: 'en-GB', timeZone: 'Europe/Madrid', currency: 'EUR' });
    expect(es.money(12345.5)).toBe('12.345,50\u00a0€');
    expect(en.money(1234.5)).toBe('€1,234.50');
  });

  it('shows times in the workspace time zone, not the machine one', () => {
    const madrid = makeFormatters({ locale: 'es-ES', timeZone: 'Europe/Madrid', currency: 'EUR' });
    const mexico = makeFormatters({ locale: 'es-MX', timeZone: 'America/Mexico_City', currency: 'MXN' });
    expect(madrid.time('2026-11-23T08:30:00Z')).toBe('09:30');
    expect(mexico.time('2026-11-23T08:30:00Z')).toMatch(/^0?2:30/);
  });

  it('turns a wall-clock date and time in a zone into the right instant, across daylight saving', () => {
    expect(zonedToIso('2026-11-23', '09:30', 'Europe/Madrid')).toBe('2026-11-23T08:30:00.000Z');
    expect(zonedToIso('2026-07-01', '09:30', 'Europe/Madrid')).toBe('2026-07-01T07:30:00.000Z');
    expect(zonedToIso('2026-11-23', '09:30', 'America/Mexico_City')).toBe('2026-11-23T15:30:00.000Z');
    expect(zonedToIso('not a date', '09:30', 'Europe/Madrid')).toBeNull();
  });

  it('round-trips an instant through date and time inputs', () => {
    const iso = '2026-03-29T10:15:00.000Z';
    const { date, time } = toZonedInputs(iso, 'Europe/Madrid');
    expect({ date, time }).toEqual({ date: '2026-03-29', time: '12:15' });
    expect(zonedToIso(date, time, 'Europe/Madrid')).toBe(iso);
  });

  it('computes today in the zone even when UTC is already tomorrow', () => {
    const now = new Date('2026-11-23T23:30:00Z');
    expect(zonedDate('Europe/Madrid', 0, now)).toBe('2026-11-24');
    expect(zonedDate('America/Mexico_City', 0, now)).toBe('2026-11-23');
    expect(zonedDate('Europe/Madrid', 1, now)).toBe('2026-11-25');
  });

  it('builds a locale tag from language and workspace country', () => {
    expect(localeTag('es', 'MX')).toBe('es-MX');
    expect(localeTag('en', 'ES')).toBe('en-ES');
  });
});
