import { describe, expect, it } from 'vitest';
import { previewCell, type ImportTarget, type PreviewRow } from './import-bits.js';

const mapping: (ImportTarget | null)[] = ['firstName', 'surnames', 'phone', 'mobile', 'postalCode', 'birthDate', 'amount', 'source', null];
const cells = ['josé', 'García Pérez', '96 123 45 67', '600 11 22 33', '8001', '03/04/1975', '1.234,56', 'Feria', 'x'];
const good: PreviewRow = {
  rowNumber: 4, cells, ok: true, errors: [],
  values: {
    firstName: 'José', lastName: 'García', secondLastName: 'Pérez', phone: '+34961234567', postalCode: '08001', birthDate: '1975-04-03',
    companyName: null, externalId: null, lead: { title: 'José García', amount: 1234.56, sourceId: 's1' },
  },
};
const shown = (row: PreviewRow, locale: string, m = mapping) => m.map((_, i) => previewCell(row, m, i, locale));

describe('the import preview', () => {
  it('shows a good row as it will be saved: surnames split, E.164 phone, postal code, the date and amount as read', () => {
    expect(shown(good, 'es-ES')).toEqual(['José', 'García / Pérez', '+34961234567', '600 11 22 33', '08001', '3 abr 1975', '1234,56', 'Feria', 'x']);
    expect(shown(good, 'en-GB')[5]).toBe('3 Apr 1975');
  });

  it('shows the mobile as the phone when the row has no landline, and the cells of a rejected row as written', () => {
    const m: (ImportTarget | null)[] = ['firstName', 'mobile'];
    expect(shown({ ...good, cells: ['José', '600 11 22 33'], values: { firstName: 'José', phone: '+34600112233', lead: null } }, 'es-ES', m)).toEqual(['José', '+34600112233']);
    expect(shown({ ...good, ok: false, values: null, errors: [{ field: 'amount', code: 'invalid_number', message: '' }] }, 'es-ES')).toEqual(cells);
  });

  it('keeps the cell of an amount when no lead is created, and of a field the reader may not see', () => {
    const noLead: PreviewRow = { ...good, values: { ...good.values, lead: null } };
    expect(shown(noLead, 'es-ES')[6]).toBe('1.234,56');
    const { birthDate: _b, ...redacted } = good.values!;
    expect(shown({ ...good, cells: cells.map((c, i) => (i === 5 ? '' : c)), values: redacted }, 'es-ES')[5]).toBe('');
  });
});
