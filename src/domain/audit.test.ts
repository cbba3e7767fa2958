import { describe, expect, it } from 'vitest';
import { diffRecord } from './audit.js';

describe('diffRecord', () => {
  it('lists only the fields that changed, as [before, after]', () => {
    expect(diffRecord({ name: 'Sol', city: 'Valencia', employees: 10 }, { name: 'Sol y Mar', city: 'Valencia', employees: 12 }))
      .toEqual({ name: ['Sol', 'Sol y Mar'], employees: [10, 12] });
  });

  it('records a creation as every field going from null to its value', () => {
    expect(diffRecord(null, { name: 'Sol', sector: null })).toEqual({ name: [null, 'Sol'] });
  });

  it('records a deletion as every field going to null', () => {
    expect(diffRecord({ name: 'Sol', city: 'Valencia' }, null)).toEqual({ name: ['Sol', null], city: ['Valencia', null] });
  });

  it('never copies secrets, even when they change', () => {
    const d = diffRecord({ passwordHash: 'scrypt$old', tokenHash: 'a', searchText: 'sol', name: 'A' }, { passwordHash: 'scrypt$new', tokenHash: 'b', searchText: 'luna', name: 'B' });
    expect(d).toEqual({ name: ['A', 'B'] });
  });

  it('leaves out the bookkeeping fields that change on every write', () => {
    expect(diffRecord({ version: 1, updatedAt: new Date(1), name: 'A' }, { version: 2, updatedAt: new Date(2), name: 'A' })).toEqual({});
  });

  it('treats a missing field and a null one as the same', () => {
    expect(diffRecord({ name: 'A' }, { name: 'A', sector: null })).toEqual({});
  });

  it('compares dates by instant and nested values by content', () => {
    expect(diffRecord({ at: new Date('2026-01-01T10:00:00Z') }, { at: new Date('2026-01-01T10:00:00.000Z') })).toEqual({});
    expect(diffRecord({ tags: ['a', 'b'] }, { tags: ['a', 'b'] })).toEqual({});
    expect(diffRecord({ tags: ['a', 'b'] }, { tags: ['b', 'a'] })).toEqual({ tags: [['a', 'b'], ['b', 'a']] });
  });

  it('does not report a change when only the key order of an object differs', () => {
    expect(diffRecord({ customFields: { budget: 1, tier: 'oro' } }, { customFields: { tier: 'oro', budget: 1 } })).toEqual({});
    expect(diffRecord({ customFields: { budget: 1 } }, { customFields: { budget: 2 } })).toEqual({ customFields: [{ budget: 1 }, { budget: 2 }] });
  });
});
