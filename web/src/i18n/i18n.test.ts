import { describe, expect, it } from 'vitest';
import { es } from './es.js';
import { en } from './en.js';
import { errorText, fieldErrorText, isMessageKey, translate } from './i18n.js';
import { ApiError } from '../api/client.js';
import { spanishFieldErrors } from '../../../src/domain/import/reasons.js';
import { makeFormatters } from '../lib/format.js';

// Every source file of the app, as text, to find the keys components ask for.
const sources = import.meta.glob(['../**/*.ts', '../**/*.tsx', '!../**/*.test.ts', '!../**/*.test.tsx', '!./*.ts'], {
  query: '?raw', import: 'default', eager: true,
}) as Record<string, string>;

/** Literal keys passed to t(...) or written as `key: '...'` / `labelKey: '...'` message-key fields. */
function usedKeys(): { file: string; key: string }[] {
  const out: { file: string; key: string }[] = [];
  const patterns = [/\bt\(\s*'([^'`$]+)'/g, /\bt\(\s*"([^"`$]+)"/g, /\b(?:labelKey|titleKey|msgKey)\s*:\s*'([^']+)'/g];
  for (const [file, text] of Object.entries(sources)) {
    for (const re of patterns) for (const m of text.matchAll(re)) out.push({ file, key: m[1]! });
  }
  return out;
}

describe('i18n catalogues', () => {
  it('has the same keys in Spanish and English', () => {
    const esKeys = Object.keys(es).sort();
    const enKeys = Object.keys(en).sort();
    expect(enKeys.filter((k) => !esKeys.includes(k))).toEqual([]);
    expect(esKeys.filter((k) => !enKeys.includes(k))).toEqual([]);
  });

  it('gives the rejected-rows report the same Spanish field-error texts as the screen', () => {
    for (const [code, text] of Object.entries(spanishFieldErrors)) expect([code, text]).toEqual([code, es[`fieldError.${code}` as keyof typeof es]]);
  });

  it('has no empty message and the same {parameters} in both languages', () => {
    for (const key of Object.keys(es) as (keyof typeof es)[]) {
      expect(es[key].trim(), key).not.toBe('');
      expect(en[key].trim(), key).not.toBe('');
      const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(params(en[key]), key).toEqual(params(es[key]));
    }
  });

  it('finds the source files it scans', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(5);
    expect(usedKeys().length).toBeGreaterThan(50);
  });

  it('has every key a component uses', () => {
    const missing = usedKeys().filter(({ key }) => !isMessageKey(key)).map(({ file, key }) => `${file}: ${key}`);
    expect(missing).toEqual([]);
  });

  it('fills parameters and keeps unknown ones visible', () => {
    expect(translate('es', 'today.greeting', { name: 'Ana' })).toBe('Hola, Ana');
    expect(translate('en', 'today.greeting', { name: 'Ana' })).toBe('Hello, Ana');
    expect(translate('en', 'today.greeting')).toBe('Hello, {name}');
  });

  it('says how long an overdue next action has waited as a sentence in each language', () => {
    const now = new Date('2026-11-23T10:00:00Z');
    const due = new Date('2026-11-12T10:00:00Z');
    const when = (locale: string) => makeFormatters({ locale, timeZone: 'Europe/Madrid', currency: 'EUR' }).daysAgo(due, now);
    expect(translate('es', 'today.overdueSince', { when: when('es-ES') })).toBe('desde hace 11 días');
    expect(translate('en', 'today.overdueSince', { when: when('en-GB') })).toBe('due 11 days ago');
  });

  it('translates API field-error codes, falling back to the API message for unknown codes', () => {
    const t = (k: keyof typeof es, p?: Record<string, string | number>) => translate('en', k, p);
    expect(fieldErrorText(t, { field: 'nextActionAt', code: 'in_the_past', message: 'x' })).toBe('Must be in the future.');
    expect(fieldErrorText(t, { field: 'x', code: 'brand_new_code', message: 'Server says no.' })).toBe('Server says no.');
    const err = new ApiError(409, { status: 409, code: 'version_conflict', detail: 'stale' });
    expect(errorText(t, err)).toBe('Someone else changed this record.');
    expect(errorText((k, p) => translate('es', k, p), err)).toBe('Otra persona ha cambiado este registro.');
    expect(errorText(t, new ApiError(502, { status: 502, code: 'http_502', detail: '<html>Bad gateway</html>' }))).toBe('Unexpected error (502).');
  });
});
