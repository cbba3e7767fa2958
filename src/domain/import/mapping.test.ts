import { describe, expect, it } from 'vitest';
import { checkMapping, parseMappingOption, proposeMapping, suggestMapping } from './mapping.js';

describe('suggestMapping', () => {
  it('recognises Spanish headers as spreadsheets write them', () => {
    expect(suggestMapping(['Nombre', 'Apellidos', 'Teléfono', 'Móvil', 'Correo electrónico', 'C.P.', 'Población', 'Barrio', 'Empresa', 'Origen', 'Importe', 'Fecha de nacimiento']))
      .toEqual(['firstName', 'surnames', 'phone', 'mobile', 'email', 'postalCode', 'city', 'neighbourhood', 'companyName', 'source', 'amount', 'birthDate']);
  });

  it('recognises English headers and leaves unknown columns unmapped', () => {
    expect(suggestMapping(['First name', 'Last Name', 'E-mail', 'Zip code', 'Company', 'Notes'])).toEqual(['firstName', 'lastName', 'email', 'postalCode', 'companyName', null]);
  });

  it('suggests each field once, for the first column that matches', () => {
    expect(suggestMapping(['Teléfono', 'Tel.'])).toEqual(['phone', null]);
  });
});

describe('proposeMapping and checkMapping', () => {
  it('prefers the mapping remembered for the same layout', () => {
    expect(proposeMapping(['Nombre', 'X'], ['firstName', 'email'])).toEqual({ mapping: ['firstName', 'email'], remembered: true });
    expect(proposeMapping(['Nombre', 'X'], ['firstName'])).toEqual({ mapping: ['firstName', null], remembered: false });
  });

  it('names each problem of a chosen mapping', () => {
    expect(checkMapping(['firstName', 'email'], 2)).toEqual([]);
    expect(checkMapping(['email', 'email', 'nickname'], 3).map((p) => [p.field, p.code])).toEqual([
      ['mapping.1', 'duplicate_target'], ['mapping.2', 'invalid_choice'], ['mapping', 'no_first_name'],
    ]);
    expect(checkMapping(['firstName'], 2)[0]!.code).toBe('wrong_length');
  });

  it('reads the CLI form of a mapping against the headers', () => {
    expect(parseMappingOption('nombre=firstName, Correo=email', ['Nombre', 'Correo', 'Otro'])).toEqual(['firstName', 'email', null]);
    expect(() => parseMappingOption('Edad=firstName', ['Nombre'])).toThrow(/no column "Edad"/);
  });
});
