import { describe, expect, it } from 'vitest';
import { canSeeImport, canUndoImport, redactRow, sensitiveColumns } from './access.js';

describe('import access', () => {
  it('lets the uploader and admins see an import, nobody else', () => {
    expect(() => canSeeImport({ role: 'sales', userId: 'u1' }, 'u1')).not.toThrow();
    expect(() => canSeeImport({ role: 'admin', userId: 'a' }, 'u1')).not.toThrow();
    expect(() => canSeeImport({ role: 'manager', userId: 'm' }, 'u1')).toThrow(/someone else/);
  });

  it('rolls back only an import that has stopped', () => {
    expect(() => canUndoImport({ role: 'admin', userId: 'a' }, 'u1', 'done')).not.toThrow();
    expect(() => canUndoImport({ role: 'admin', userId: 'a' }, 'u1', 'failed')).not.toThrow();
    expect(() => canUndoImport({ role: 'admin', userId: 'a' }, 'u1', 'running')).toThrow(/cannot be rolled back/);
  });
});

describe('sensitive columns of a file', () => {
  const headers = ['Nombre', 'F. nac.', 'Estado civil', 'Profesión', 'Aficiones', 'Provincia', 'Fecha de nacimiento'];

  it('finds the columns mapped to a sensitive field, named like one, or named like a sensitive custom field', () => {
    const mapping = ['firstName', 'birthDate', null, null, null, 'region', null];
    const hidden = sensitiveColumns(headers, mapping, [{ key: 'hobbies', label: 'Aficiones' }]);
    expect([...hidden].sort()).toEqual([1, 2, 3, 4, 6]);
  });

  it('leaves ordinary columns alone when nothing sensitive is mapped or named', () => {
    expect(sensitiveColumns(['Nombre', 'Estado', 'Cargo'], ['firstName', 'region', 'jobTitle'], []).size).toBe(0);
  });

  it('empties hidden cells in place and keeps the value out of the problems of a sensitive field', () => {
    const row = { rowNumber: 3, cells: ['Ana', '31/02/1980', 'casada'], errors: [{ field: 'birthDate', code: 'invalid_date', message: '31/02/1980 is not a real calendar date.' }] };
    const out = redactRow(row, new Set([1, 2]), ['birthDate']);
    expect(out.cells).toEqual(['Ana', '', '']);
    expect(out.errors[0]).toMatchObject({ field: 'birthDate', code: 'invalid_date' });
    expect(out.errors[0]!.message).not.toContain('1980');
  });
});
