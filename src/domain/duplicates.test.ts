import { describe, expect, it } from 'vitest';
import {
  assertCanMerge, callingCodeOf, canUndoMerge, isLikelyDuplicate, mergeValues, NAME_SIMILARITY_MIN, nameSimilarityFloor, orderedPair,
  phoneDigitVariants, scoreDuplicate,
} from './duplicates.js';

const none = { sameEmail: false, samePhone: false, nameSimilarity: 0, sameCompany: false };

describe('scoreDuplicate', () => {
  it('gives a shared email a high score with the email as reason', () => {
    const s = scoreDuplicate('contact', { ...none, sameEmail: true });
    expect(s).toEqual({ score: 90, reasons: ['email'] });
    expect(isLikelyDuplicate(s)).toBe(true);
  });

  it('scores two signals together above either alone, and never above 100', () => {
    const email = scoreDuplicate('contact', { ...none, sameEmail: true }).score;
    const phone = scoreDuplicate('contact', { ...none, samePhone: true }).score;
    const both = scoreDuplicate('contact', { sameEmail: true, samePhone: true, nameSimilarity: 1, sameCompany: true });
    expect(both.score).toBeGreaterThan(Math.max(email, phone));
    expect(both.score).toBeLessThanOrEqual(100);
    expect(both.reasons).toEqual(['email', 'phone', 'name_company']);
  });

  it('counts a similar name within the same company as stronger than the name alone', () => {
    const alone = scoreDuplicate('contact', { ...none, nameSimilarity: 1 });
    const inCompany = scoreDuplicate('contact', { ...none, nameSimilarity: 1, sameCompany: true });
    expect(alone).toEqual({ score: 50, reasons: ['name'] });
    expect(inCompany.reasons).toEqual(['name_company']);
    expect(inCompany.score).toBeGreaterThan(alone.score);
  });

  it('ignores names less alike than the threshold and reports nothing without signals', () => {
    expect(scoreDuplicate('contact', { ...none, nameSimilarity: 0.45 })).toEqual({ score: 0, reasons: [] });
    expect(isLikelyDuplicate(scoreDuplicate('contact', none))).toBe(false);
  });

  it('treats a similar company name as strong evidence, unlike a person\'s name', () => {
    const company = scoreDuplicate('company', { ...none, nameSimilarity: 0.9 });
    const person = scoreDuplicate('contact', { ...none, nameSimilarity: 0.9 });
    expect(company.score).toBeGreaterThan(person.score);
    expect(isLikelyDuplicate(company)).toBe(true);
  });
});

describe('phoneDigitVariants', () => {
  it('gives the E.164 and national digits of a number typed in any Spanish format', () => {
    for (const typed of ['600 111 222', '+34 600-111-222', '0034600111222', '(+34) 600.11.12.22']) {
      expect(phoneDigitVariants(typed, 'ES')).toEqual(expect.arrayContaining(['34600111222', '600111222']));
    }
  });

  it('still compares an invalid number by its digits, and ignores empty input', () => {
    expect(phoneDigitVariants('12-34-56', 'ES')).toEqual(['123456']);
    expect(phoneDigitVariants('  ', 'ES')).toEqual([]);
    expect(phoneDigitVariants(null, 'ES')).toEqual([]);
  });
});

describe('mergeValues', () => {
  const keep = { firstName: 'María', lastName: 'García', email: null, phone: '+34600111222', city: '', doNotContact: false, customFields: { dni: '1', talla: null } };
  const merged = { firstName: 'Maria', lastName: 'Garcia', email: 'maria@x.es', phone: '+34911222333', city: 'Sevilla', doNotContact: true, customFields: { talla: 'M', extra: 'x' } };

  it('keeps the kept record\'s non-empty values and fills its empty ones from the merged record', () => {
    const out = mergeValues('contact', keep, merged);
    expect(out).toMatchObject({ email: 'maria@x.es', city: 'Sevilla' });
    expect(out).not.toHaveProperty('firstName');
    expect(out).not.toHaveProperty('phone');
  });

  it('follows the field choices over the defaults', () => {
    const out = mergeValues('contact', keep, merged, { phone: 'merge', email: 'keep' });
    expect(out['phone']).toBe('+34911222333');
    expect(out).not.toHaveProperty('email');
  });

  it('merges custom fields key by key and keeps "do not contact" if either record asked for it', () => {
    const out = mergeValues('contact', keep, merged);
    expect(out['customFields']).toEqual({ dni: '1', talla: 'M', extra: 'x' });
    expect(out['doNotContact']).toBe(true);
  });
});

describe('canUndoMerge', () => {
  const mergedAt = new Date('2026-01-01T10:00:00Z');
  it('allows undo for 30 days and refuses it after, or once undone', () => {
    expect(canUndoMerge({ mergedAt, undoneAt: null, purgedAt: null }, new Date('2026-01-31T10:00:00Z'))).toBe(true);
    expect(canUndoMerge({ mergedAt, undoneAt: null, purgedAt: null }, new Date('2026-01-31T10:00:01Z'))).toBe(false);
    expect(canUndoMerge({ mergedAt, undoneAt: new Date('2026-01-02T00:00:00Z'), purgedAt: null }, new Date('2026-01-03T00:00:00Z'))).toBe(false);
  });
});

it('orders a pair the same way whichever record comes first', () => {
  expect(orderedPair('b', 'a')).toEqual(['a', 'b']);
  expect(orderedPair('a', 'b')).toEqual(['a', 'b']);
});

describe('assertCanMerge', () => {
  const actor = (role: 'admin' | 'manager' | 'sales') => ({ workspaceId: 'w', userId: 'u', role, teamId: null });
  it('lets admins and managers merge anything, and a salesperson only two records they own', () => {
    expect(() => assertCanMerge(actor('admin'), 'x', 'y')).not.toThrow();
    expect(() => assertCanMerge(actor('manager'), 'x', null)).not.toThrow();
    expect(() => assertCanMerge(actor('sales'), 'u', 'u')).not.toThrow();
    expect(() => assertCanMerge(actor('sales'), 'u', 'x')).toThrow(/owner of both/);
    expect(() => assertCanMerge(actor('sales'), null, 'u')).toThrow(/owner of both/);
  });
});

it('knows the calling code of a country and answers null for an unknown one', () => {
  expect(callingCodeOf('ES')).toBe('34');
  expect(callingCodeOf('ZZ')).toBeNull();
});

describe('nameSimilarityFloor', () => {
  it('is the least similarity whose name alone reaches the duplicate score, checked against scoreDuplicate', () => {
    for (const [entity, sameCompany] of [['contact', false], ['contact', true], ['company', false]] as const) {
      const floor = nameSimilarityFloor(entity, sameCompany);
      const at = (s: number) => isLikelyDuplicate(scoreDuplicate(entity, { sameEmail: false, samePhone: false, nameSimilarity: s, sameCompany }));
      expect(at(floor + 0.001)).toBe(true);
      expect(at(floor - 0.01)).toBe(false);
    }
  });

  it('asks a person\'s name alone to be far more alike than one inside the same company', () => {
    expect(nameSimilarityFloor('contact', false)).toBeGreaterThan(0.75);
    expect(nameSimilarityFloor('contact', true)).toBe(NAME_SIMILARITY_MIN);
  });
});
