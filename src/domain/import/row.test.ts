import { describe, expect, it } from 'vitest';
import { defaultCapturePolicy } from '../capture-policy.js';
import type { ImportMapping } from './mapping.js';
import { isLikelyDuplicate, scoreDuplicate } from '../duplicates.js';
import { buildImportRow, contactChanges, IMPORT_NAME_SIMILARITY, mergeDuplicates, type ImportRow, type RowContext } from './row.js';

const mapping: ImportMapping = ['firstName', 'surnames', 'phone', 'email', 'birthDate', 'postalCode', 'companyName', 'source', 'amount'];
const ctx: RowContext = { mapping, policy: defaultCapturePolicy('ES'), createLeads: true, sourceIdByName: (n) => (n.toLowerCase() === 'feria' ? 'src-1' : undefined) };
const ok = (cells: string[], c: RowContext = ctx): ImportRow => {
  const r = buildImportRow(7, cells, c);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.row;
};
const errorsOf = (cells: string[]) => {
  const r = buildImportRow(7, cells, ctx);
  return r.ok ? [] : r.errors.map((e) => `${e.field}:${e.code}`);
};

describe('buildImportRow', () => {
  it('splits surnames typed together, normalises phone and email and builds the lead', () => {
    const row = ok([' María ', 'García  López', '600 11 22 33', 'Maria@Correo.ES', '31/01/1980', '41001', 'Talleres Ortega', 'Feria', '1.234,50']);
    expect(row.contact).toMatchObject({ firstName: 'María', lastName: 'García', secondLastName: 'López', phone: '+34600112233', email: 'maria@correo.es', birthDate: '1980-01-31', postalCode: '41001' });
    expect(row.companyName).toBe('Talleres Ortega');
    expect(row.lead).toEqual({ title: 'María García (Talleres Ortega)', amount: 1234.5, sourceId: 'src-1' });
  });

  it('applies the workspace casing to the imported values', () => {
    const upper = { ...defaultCapturePolicy('ES'), casing: { 'contact.lastName': 'upper' as const, 'contact.secondLastName': 'upper' as const } };
    expect(ok(['Luis', 'de la Fuente Ruiz', '', '', '', '', '', '', ''], { ...ctx, policy: upper }).contact).toMatchObject({ lastName: 'DE LA FUENTE', secondLastName: 'RUIZ' });
  });

  it('reports every bad value of a row at once, each with its field and reason', () => {
    expect(errorsOf(['', 'Pérez', '600 11 22 AB', 'no-es-correo', '31/02/2026', '99999', '', 'Radio', 'doce'])).toEqual([
      'phone:phone_has_letters', 'birthDate:invalid_date', 'amount:invalid_number', 'source:unknown_source',
      'email:invalid_email', 'postalCode:invalid_postal_code', 'firstName:required',
    ]);
  });

  it('does not reject a contact for an amount it does not keep (no lead opened)', () => {
    const cells = ['Carmen', 'Díaz', '', '', '', '', '', '', 'abc'];
    expect(errorsOf(cells)).toEqual(['amount:invalid_number']);
    expect(ok(cells, { ...ctx, createLeads: false })).toMatchObject({ contact: { firstName: 'Carmen', lastName: 'Díaz' }, lead: null });
  });

  it('uses the mobile column as the phone when there is no landline', () => {
    const r = buildImportRow(2, ['Ana', '699 000 111'], { ...ctx, mapping: ['firstName', 'mobile'], createLeads: false });
    expect(r.ok && r.row.contact.phone).toBe('+34699000111');
    expect(r.ok && r.row.lead).toBeNull();
  });
});

describe('duplicates inside a batch', () => {
  const row = (n: number, email: string | null, phone: string | null, city: string | null = null): ImportRow => ({
    rowNumber: n, companyName: null, lead: null, externalId: null,
    contact: { firstName: 'Ana', lastName: null, secondLastName: null, jobTitle: null, email, phone, address: null, postalCode: null, neighbourhood: null, city, region: null, country: null, birthDate: null },
  });

  it('folds rows sharing the email or the phone into the first, later values winning', () => {
    const { rows, duplicates } = mergeDuplicates([row(1, 'a@x.es', null), row(2, null, '+34600000001'), row(3, 'a@x.es', '+34600000001', 'Cádiz'), row(4, 'b@x.es', null)], 'email');
    expect(duplicates).toBe(1);
    expect(rows.map((r) => [r.rowNumber, r.contact.email, r.contact.phone, r.contact.city])).toEqual([
      [1, 'a@x.es', '+34600000001', 'Cádiz'], [2, null, '+34600000001', null], [4, 'b@x.es', null, null],
    ]);
  });

  it('tells what an import changes on an existing contact, never erasing with an empty cell', () => {
    const imported = row(1, 'a@x.es', null, 'Cádiz').contact;
    expect(contactChanges({ firstName: 'Ana', email: 'a@x.es', phone: '+34600000001', city: 'Sevilla' }, imported, null)).toEqual({ city: 'Cádiz' });
    expect(contactChanges({ firstName: 'Ana', email: 'a@x.es', city: 'Cádiz', companyId: 'c1' }, imported, 'c1')).toBeNull();
  });
});

describe('name and company in imports', () => {
  it('sees a likely duplicate from its own similarity threshold on, as the duplicate check scores it', () => {
    const at = (nameSimilarity: number) => scoreDuplicate('contact', { sameEmail: false, samePhone: false, nameSimilarity, sameCompany: true });
    expect(isLikelyDuplicate(at(IMPORT_NAME_SIMILARITY))).toBe(true);
    expect(at(IMPORT_NAME_SIMILARITY).reasons).toEqual(['name_company']);
    expect(isLikelyDuplicate(at(IMPORT_NAME_SIMILARITY - 0.1))).toBe(false);
  });
});
