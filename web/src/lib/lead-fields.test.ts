import { describe, expect, it } from 'vitest';
import { conflictRows, fromInput, isChanged, toInput } from './lead-fields.js';

describe('inline lead fields', () => {
  it('reads numbers with a comma or a point and refuses nonsense without losing it', () => {
    expect(fromInput('decimal', '1.250,5'.replace('.', ''))).toBe(1250.5);
    expect(fromInput('decimal', '99.9')).toBe(99.9);
    expect(fromInput('decimal', 'mucho')).toBeUndefined();
    expect(fromInput('integer', '7.5')).toBeUndefined();
    expect(fromInput('integer', '')).toBeNull();
  });

  it('treats an unchanged value as unchanged, whatever its type', () => {
    expect(isChanged('decimal', 1500, '1500')).toBe(false);
    expect(isChanged('decimal', 1500, '1500,00')).toBe(false);
    expect(isChanged('text', null, '  ')).toBe(false);
    expect(isChanged('text', 'Cocina', 'Cocina nueva')).toBe(true);
    expect(isChanged('integer', 3, 'x')).toBe(true);
    expect(toInput(null)).toBe('');
  });

  it('lines up my edits with the server version for the conflict dialog, custom fields included', () => {
    const rows = conflictRows({ amount: 2000, 'customFields.budget': '5000' }, { amount: 1800, customFields: { budget: '4000' } });
    expect(rows).toEqual([
      { field: 'amount', mine: 2000, theirs: 1800 },
      { field: 'customFields.budget', mine: '5000', theirs: '4000' },
    ]);
  });
});
