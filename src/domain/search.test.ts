import { describe, expect, it } from 'vitest';
import { classifyQuery, phoneCandidates, phoneNeedle } from './search.js';

describe('classifying an instant-search query', () => {
  it('reads phones in any format as their digits, 00 as +', () => {
    expect(classifyQuery('612 34 56 78')).toEqual({ kind: 'phone', digits: '612345678' });
    expect(classifyQuery('+34 612-345-678')).toEqual({ kind: 'phone', digits: '34612345678' });
    expect(classifyQuery('0034 (612) 345.678')).toEqual({ kind: 'phone', digits: '34612345678' });
  });

  it('treats too few digits, emails and names as text', () => {
    expect(classifyQuery('12')).toEqual({ kind: 'name', text: '12' });
    expect(classifyQuery(' Ana@Ejemplo.ES ')).toEqual({ kind: 'email', text: 'ana@ejemplo.es' });
    expect(classifyQuery('  garcía   lópez ')).toEqual({ kind: 'name', text: 'garcía lópez' });
    expect(classifyQuery('calle 5')).toEqual({ kind: 'name', text: 'calle 5' });
  });

  it('ignores queries too short to mean anything and caps long ones', () => {
    expect(classifyQuery(' a ')).toBeNull();
    expect(classifyQuery('')).toBeNull();
    expect((classifyQuery('x'.repeat(500)) as { text: string }).text).toHaveLength(100);
  });

  it('drops a national trunk zero so the digits still sit inside an E.164 number', () => {
    expect(phoneNeedle('0612345678')).toBe('612345678');
    expect(phoneNeedle('612345678')).toBe('612345678');
    expect(phoneNeedle('0612')).toBe('0612');
  });

  it('compares whole numbers with and without the workspace calling code', () => {
    expect(phoneCandidates('911223344', '34')).toEqual(['911223344', '34911223344']);
    expect(phoneCandidates('34911223344', '34')).toEqual(['34911223344']);
    expect(phoneCandidates('0612345678', '33')).toEqual(['0612345678', '612345678', '33612345678']);
    expect(phoneCandidates('612345678', null)).toEqual(['612345678']);
  });
});
