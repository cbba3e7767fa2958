import { describe, expect, it } from 'vitest';
import { applyCapturePolicy, capturePolicyOf, defaultCapturePolicy, validateCapturePolicy, isValidPostalCode, normalisePhone, restoreLeadingZero, splitSurnames, titleCase, type CapturePolicy } from './capture-policy.js';

const policy = (over: Partial<CapturePolicy> = {}): CapturePolicy => ({ ...defaultCapturePolicy('ES'), ...over });

describe('phone numbers', () => {
  it('are normalised to E.164 with the default country', () => {
    expect(normalisePhone('612 34 56 78', 'ES')).toBe('+34612345678');
    expect(normalisePhone('+33 6 12 34 56 78', 'ES')).toBe('+33612345678');
    expect(normalisePhone('96 123 45 67', 'ES')).toBe('+34961234567');
  });
  it('are refused when not a real number', () => {
    expect(normalisePhone('12345', 'ES')).toBeNull();
    expect(normalisePhone('llámame', 'ES')).toBeNull();
  });
});

describe('postal codes', () => {
  it('follow the country format', () => {
    expect(isValidPostalCode('46001', 'ES')).toBe(true);
    expect(isValidPostalCode('53001', 'ES')).toBe(false);
    expect(isValidPostalCode('4600', 'ES')).toBe(false);
    expect(isValidPostalCode('1000-001', 'PT')).toBe(true);
    expect(isValidPostalCode('C1425ABC', 'AR')).toBe(true);
  });
  it('get back the leading zero a spreadsheet dropped (08001 stored as the number 8001)', () => {
    const r = applyCapturePolicy('contact', { firstName: 'Carmen', postalCode: '8001' }, policy());
    expect(r.errors).toEqual([]);
    expect(r.values['postalCode']).toBe('08001');
    expect(restoreLeadingZero('1000', 'FR')).toBe('01000');
    expect(restoreLeadingZero('46001', 'ES')).toBe('46001');
    expect(restoreLeadingZero('5300', 'ES')).toBe('05300');
    expect(restoreLeadingZero('300', 'ES')).toBe('300'); // two digits short
    expect(restoreLeadingZero('0300', 'ES')).toBe('0300'); // 00300 is no Spanish code either
    expect(restoreLeadingZero('123', 'ES')).toBe('123');
    expect(restoreLeadingZero('1000', 'AR')).toBe('1000'); // already a code there
    expect(applyCapturePolicy('contact', { firstName: 'Rui', postalCode: '999', country: 'ES' }, policy()).errors.map((e) => e.code)).toEqual(['invalid_postal_code']);
  });
});

describe('surnames', () => {
  it('split two surnames, keeping particles with theirs', () => {
    expect(splitSurnames('García López')).toEqual({ lastName: 'García', secondLastName: 'López' });
    expect(splitSurnames('de la Fuente Ruiz')).toEqual({ lastName: 'de la Fuente', secondLastName: 'Ruiz' });
    expect(splitSurnames('Pérez del Río')).toEqual({ lastName: 'Pérez', secondLastName: 'del Río' });
  });
  it('are not split when it is not clear', () => {
    expect(splitSurnames('García')).toBeNull();
    expect(splitSurnames('García López Martín')).toBeNull();
    expect(splitSurnames('García de')).toBeNull();
  });
  it('title case keeps particles low and handles hyphens', () => {
    expect(titleCase('MARÍA DEL CARMEN gómez-ruiz')).toBe('María del Carmen Gómez-Ruiz');
  });
});

describe('applying a policy', () => {
  it('trims and collapses spaces, lowercases email, normalises phone', () => {
    const r = applyCapturePolicy('contact', { firstName: '  Ana   María ', email: ' Ana@Ejemplo.ES ', phone: '612-345-678' }, policy());
    expect(r.errors).toEqual([]);
    expect(r.values).toEqual({ firstName: 'Ana María', email: 'ana@ejemplo.es', phone: '+34612345678' });
  });

  it('reports every problem at once, naming each field', () => {
    const r = applyCapturePolicy('contact', { firstName: ' ', email: 'ana@', phone: '123', postalCode: '99999' }, policy());
    expect(r.errors.map((e) => `${e.field}:${e.code}`).sort()).toEqual([
      'email:invalid_email', 'firstName:required', 'phone:invalid_phone', 'postalCode:invalid_postal_code',
    ]);
  });

  it('applies casing per field', () => {
    const r = applyCapturePolicy('contact', { firstName: 'ana', lastName: 'garcía' }, policy({ casing: { 'contact.lastName': 'upper', 'contact.firstName': 'title' } }));
    expect(r.values).toMatchObject({ firstName: 'Ana', lastName: 'GARCÍA' });
  });

  it('adds the fields a source requires', () => {
    const p = policy({ requiredBySource: { fair: { contact: ['postalCode', 'phone'] } } });
    expect(applyCapturePolicy('contact', { firstName: 'Ana' }, p, { sourceId: 'fair' }).errors.map((e) => e.field)).toEqual(['postalCode', 'phone']);
    expect(applyCapturePolicy('contact', { firstName: 'Ana' }, p, { sourceId: 'web' }).errors).toEqual([]);
  });

  it('checks required fields on an update only when they are being changed', () => {
    expect(applyCapturePolicy('contact', { jobTitle: 'Gerente' }, policy(), { partial: true }).errors).toEqual([]);
    expect(applyCapturePolicy('contact', { firstName: '' }, policy(), { partial: true }).errors[0]?.code).toBe('required');
  });

  it('uses the stored country on an update', () => {
    const r = applyCapturePolicy('contact', { postalCode: '1000-001' }, policy(), { partial: true, existing: { country: 'PT' } });
    expect(r.errors).toEqual([]);
  });

  it('suggests splitting surnames instead of doing it silently', () => {
    const r = applyCapturePolicy('contact', { firstName: 'Luis', lastName: 'Martínez Soler' }, policy());
    expect(r.values['lastName']).toBe('Martínez Soler');
    expect(r.suggestions).toEqual([{ field: 'lastName', code: 'split_surnames', values: { lastName: 'Martínez', secondLastName: 'Soler' } }]);
  });
});

describe('free text and lists', () => {
  it('keeps the line breaks of a note while trimming it', () => {
    const r = applyCapturePolicy('lead', { title: '  Sofá   3 plazas ', nextActionNote: ' Llamar\n  tras la feria ' }, policy());
    expect(r.values).toEqual({ title: 'Sofá 3 plazas', nextActionNote: 'Llamar\n  tras la feria' });
  });
  it('treats an empty list as missing when the field is required', () => {
    const p = policy({ required: { contact: ['firstName'], company: ['name'], lead: ['title', 'productIds'] } });
    expect(applyCapturePolicy('lead', { title: 'Sofá', productIds: [] }, p).errors.map((e) => `${e.field}:${e.code}`)).toEqual(['productIds:required']);
  });
});

describe('validating a policy before it is saved', () => {
  const source = '0b0e6a3c-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
  it('accepts the defaults and a complete policy', () => {
    expect(validateCapturePolicy(policy())).toEqual([]);
    expect(validateCapturePolicy(policy({
      required: { contact: ['firstName', 'lastName', 'postalCode'], company: ['name'], lead: ['title'] },
      requiredBySource: { [source]: { contact: ['phone'] } },
      casing: { 'contact.lastName': 'upper', 'company.name': 'title' },
    }), new Set([source]))).toEqual([]);
  });
  it('names every wrong rule by its path', () => {
    const errors = validateCapturePolicy({
      ...policy(),
      required: { contact: ['firstName', 'nickname', 'firstName'], company: ['name'], lead: ['title'] },
      requiredBySource: { '11111111-1111-4111-8111-111111111111': { contact: ['phone'] }, [source]: { lead: ['colour'] } },
      casing: { 'contact.email': 'upper', lastName: 'upper', 'contact.city': 'shout' as never },
      defaultCountry: 'XX',
    }, new Set([source]));
    expect(errors.map((e) => `${e.field}:${e.code}`)).toEqual([
      'required.contact.1:unknown_field', 'required.contact.2:duplicate',
      'requiredBySource.11111111-1111-4111-8111-111111111111:not_found', `requiredBySource.${source}.lead.0:unknown_field`,
      'casing.contact.email:unknown_field', 'casing.lastName:invalid_format', 'casing.contact.city:invalid_value',
      'defaultCountry:invalid_format',
    ]);
  });
});

describe('reading a stored policy', () => {
  it('falls back to the defaults with the workspace country when nothing is stored', () => {
    expect(capturePolicyOf(null, 'MX')).toEqual(defaultCapturePolicy('MX'));
  });
  it('keeps the known rules and drops the ones the code no longer knows', () => {
    const p = capturePolicyOf({ required: { contact: ['firstName', 'gone'] }, casing: { 'contact.lastName': 'upper', 'contact.gone': 'upper' }, splitSurnames: false }, 'ES');
    expect(p.required).toEqual({ contact: ['firstName'], company: ['name'], lead: ['title'] });
    expect(p.casing).toEqual({ 'contact.lastName': 'upper' });
    expect(p.splitSurnames).toBe(false);
    expect(p.validatePostalCode).toBe(true);
  });
});
