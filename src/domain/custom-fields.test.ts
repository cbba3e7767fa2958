import { describe, expect, it } from 'vitest';
import { checkCustomFields, type CustomFieldDefinition } from './custom-fields.js';

const def = (key: string, type: CustomFieldDefinition['type'], extra: Partial<CustomFieldDefinition> = {}): CustomFieldDefinition =>
  ({ key, label: key.toUpperCase(), type, options: [], isRequired: false, ...extra });
const defs = [
  def('budget', 'number'),
  def('tier', 'choice', { options: ['oro', 'plata'] }),
  def('visit', 'date'),
  def('notes', 'text'),
  def('nif', 'text', { isRequired: true }),
];
const errorsOf = (values: Record<string, unknown>, partial = true) =>
  checkCustomFields(defs, values, { partial }).errors.map((e) => `${e.field}:${e.code}`);

describe('checkCustomFields', () => {
  it('accepts values of the right type and returns them cleaned', () => {
    const r = checkCustomFields(defs, { budget: 1200.5, tier: 'oro', visit: '2026-11-23', notes: '  llamar tarde ', nif: 'B1' }, { partial: false });
    expect(r.errors).toEqual([]);
    expect(r.values).toEqual({ budget: 1200.5, tier: 'oro', visit: '2026-11-23', notes: 'llamar tarde', nif: 'B1' });
  });

  it('names each wrong value as customFields.<key> with its reason', () => {
    expect(errorsOf({ budget: '1200', tier: 'bronce', visit: '23/11/2026', notes: 42 })).toEqual([
      'customFields.budget:invalid_type', 'customFields.tier:invalid_choice', 'customFields.visit:invalid_date', 'customFields.notes:invalid_type',
    ]);
  });

  it('refuses impossible calendar dates', () => {
    expect(errorsOf({ visit: '2026-02-29' })).toEqual(['customFields.visit:invalid_date']);
    expect(errorsOf({ visit: '2028-02-29' })).toEqual([]);
    expect(errorsOf({ visit: '2026-13-01' })).toEqual(['customFields.visit:invalid_date']);
  });

  it('refuses unknown keys so a typo never drops data silently', () => {
    expect(errorsOf({ budjet: 5 })).toEqual(['customFields.budjet:unknown_field']);
  });

  it('stores an empty or blank optional value as null', () => {
    const r = checkCustomFields(defs, { notes: '   ', budget: null, tier: '' }, { partial: true });
    expect(r.errors).toEqual([]);
    expect(r.values).toEqual({ notes: null, budget: null, tier: null });
  });

  it('requires required fields on create, but not when an update leaves them out', () => {
    expect(errorsOf({}, false)).toEqual(['customFields.nif:required']);
    expect(errorsOf({}, true)).toEqual([]);
  });

  it('refuses to blank a required field, even in an update', () => {
    expect(errorsOf({ nif: '  ' }, true)).toEqual(['customFields.nif:required']);
    expect(errorsOf({ nif: null }, false)).toEqual(['customFields.nif:required']);
  });

  it('matches choice options exactly, after trimming', () => {
    expect(checkCustomFields(defs, { tier: ' plata ' }, { partial: true }).values).toEqual({ tier: 'plata' });
    expect(errorsOf({ tier: 'Plata' })).toEqual(['customFields.tier:invalid_choice']);
  });

  it('accepts nothing when the entity has no definitions', () => {
    expect(checkCustomFields([], {}, { partial: false })).toEqual({ values: {}, errors: [] });
    expect(checkCustomFields([], { x: 1 }, { partial: false }).errors.map((e) => e.code)).toEqual(['unknown_field']);
  });
});
