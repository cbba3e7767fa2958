import { describe, expect, it } from 'vitest';
import { availableSegmentFields, builtinSegments, checkSegmentDefinition, effectiveDefinition, segmentAccess, type CustomFieldsByEntity } from './segment.js';

const custom: CustomFieldsByEntity = {
  contact: [
    { key: 'budget', label: 'Presupuesto', type: 'number', options: [], isRequired: false },
    { key: 'tier', label: 'Nivel', type: 'choice', options: ['gold', 'silver'], isRequired: false },
  ],
  company: [{ key: 'founded', label: 'Fundada', type: 'date', options: [], isRequired: false }],
};
const all = (...children: unknown[]) => ({ type: 'group', combinator: 'and', children });
const any = (...children: unknown[]) => ({ type: 'group', combinator: 'or', children });
const cond = (field: string, operator: string, value?: unknown) => ({ type: 'condition', field, operator, ...(value === undefined ? {} : { value }) });
const errorsOf = (def: unknown) => checkSegmentDefinition(def, custom).errors;

describe('segment definitions', () => {
  it('accept nested AND / OR groups over contact, company, custom and computed fields', () => {
    const def = all(
      cond('contact.lifecycle', 'in', ['client', 'former']),
      any(cond('company.sector', 'contains', 'madera'), cond('contact.customFields.budget', 'gte', 1000)),
      cond('computed.recencyDays', 'between', [0, 90]),
      cond('company.customFields.founded', 'lt', '2000-01-01'),
      cond('contact.email', 'isNotEmpty'),
    );
    expect(errorsOf(def)).toEqual([]);
  });

  it('refuse an unknown field and a deleted custom field, naming the condition', () => {
    expect(errorsOf(all(cond('contact.shoeSize', 'eq', 42)))).toEqual([expect.objectContaining({ field: 'definition.children.0.field', code: 'unknown_field' })]);
    const errors = errorsOf(all(cond('ok', 'eq', 1), any(cond('contact.customFields.gone', 'eq', 'x'))));
    expect(errors.map((e) => e.field)).toEqual(['definition.children.0.field', 'definition.children.1.children.0.field']);
    expect(errors[1]!.message).toContain('deleted');
  });

  it('refuse an operator the field type does not allow', () => {
    expect(errorsOf(all(cond('contact.lifecycle', 'gt', 'client')))).toEqual([expect.objectContaining({ field: 'definition.children.0.operator', code: 'operator_not_allowed' })]);
    expect(errorsOf(all(cond('computed.monetary', 'contains', '1')))[0]!.code).toBe('operator_not_allowed');
  });

  it('refuse a value of the wrong type', () => {
    expect(errorsOf(all(cond('computed.monetary', 'gt', '100')))[0]).toMatchObject({ field: 'definition.children.0.value', code: 'invalid_value' });
    expect(errorsOf(all(cond('contact.birthDate', 'lt', '2024-02-30')))[0]!.code).toBe('invalid_value');
    expect(errorsOf(all(cond('contact.lifecycle', 'eq', 'vip')))[0]!.message).toContain('prospect');
    expect(errorsOf(all(cond('contact.customFields.tier', 'in', ['gold', 'bronze'])))[0]!.field).toBe('definition.children.0.value.1');
    expect(errorsOf(all(cond('contact.email', 'isEmpty', 'x')))[0]!.code).toBe('invalid_value');
    expect(errorsOf(all(cond('computed.frequency', 'between', [5, 2])))[0]!.code).toBe('invalid_range');
    expect(errorsOf(all(cond('contact.ownerId', 'eq', 'luis')))[0]!.code).toBe('invalid_value');
  });

  it('refuse a malformed tree with the path of the problem', () => {
    expect(errorsOf({ type: 'group', combinator: 'xor', children: [] })[0]!.field).toBe('definition.combinator');
    expect(errorsOf(all({ type: 'condition', field: 'contact.city', operator: 'eq', value: 'x', extra: 1 }))[0]!.field).toBe('definition.children.0');
    expect(errorsOf(all(all()))[0]).toMatchObject({ field: 'definition.children.0.children', code: 'too_small' });
    expect(errorsOf(all(all(all(all(all(cond('contact.city', 'eq', 'x'))))))).map((e) => e.code)).toContain('too_deep');
  });

  it('lists the ids a definition refers to, for the caller to check they exist', () => {
    const id = '6f1d3c1e-0000-4000-8000-000000000001';
    expect(checkSegmentDefinition(all(cond('computed.openLeadStage', 'in', [id])), custom).references)
      .toEqual([{ kind: 'stage', id, path: 'definition.children.0.value.0' }]);
  });
});

describe('contradictions inside an AND group', () => {
  it('find an empty numeric range', () => {
    const errors = errorsOf(all(cond('computed.monetary', 'gt', 10), cond('computed.monetary', 'lt', 5)));
    expect(errors).toEqual([expect.objectContaining({ field: 'definition.children.1', code: 'contradiction' })]);
    expect(errors[0]!.message).toContain('computed.monetary > 10 and computed.monetary < 5');
    expect(errorsOf(all(cond('computed.monetary', 'gte', 5), cond('computed.monetary', 'lt', 5)))[0]!.code).toBe('contradiction');
    expect(errorsOf(all(cond('computed.monetary', 'gte', 5), cond('computed.monetary', 'lte', 5)))).toEqual([]);
  });

  it('find two different required values, and a required value that is also excluded', () => {
    expect(errorsOf(all(cond('contact.lifecycle', 'eq', 'client'), cond('contact.lifecycle', 'eq', 'prospect')))[0]!.code).toBe('contradiction');
    expect(errorsOf(all(cond('contact.lifecycle', 'in', ['client', 'former']), cond('contact.lifecycle', 'notIn', ['client', 'former'])))[0]!.code).toBe('contradiction');
    expect(errorsOf(all(cond('contact.lifecycle', 'in', ['client', 'former']), cond('contact.lifecycle', 'neq', 'client')))).toEqual([]);
    expect(errorsOf(all(cond('contact.doNotContact', 'eq', true), cond('contact.doNotContact', 'eq', false)))[0]!.code).toBe('contradiction');
  });

  it('compare texts as the database does: accents and case do not make two values different', () => {
    expect(errorsOf(all(cond('contact.city', 'eq', 'Málaga'), cond('contact.city', 'eq', 'MALAGA')))).toEqual([]);
    expect(errorsOf(all(cond('contact.city', 'eq', 'Málaga'), cond('contact.city', 'eq', 'Sevilla')))[0]!.code).toBe('contradiction');
    expect(errorsOf(all(cond('contact.city', 'eq', 'Málaga'), cond('contact.city', 'contains', 'sev')))[0]!.code).toBe('contradiction');
  });

  it('find "is empty" together with a condition that needs a value', () => {
    expect(errorsOf(all(cond('contact.email', 'isEmpty'), cond('contact.email', 'contains', '@')))[0]!.code).toBe('contradiction');
    expect(errorsOf(all(cond('contact.email', 'isEmpty'), cond('contact.email', 'neq', 'a@b.es')))).toEqual([]);
  });

  it('find a value outside the range required by another condition, also on dates', () => {
    expect(errorsOf(all(cond('computed.lastNps', 'eq', 9), cond('computed.lastNps', 'between', [0, 6])))[0]!.code).toBe('contradiction');
    expect(errorsOf(all(cond('contact.birthDate', 'gt', '2000-01-01'), cond('contact.birthDate', 'lt', '1990-01-01')))[0]!.code).toBe('contradiction');
  });

  it('leave OR groups alone: alternatives may exclude each other', () => {
    expect(errorsOf(any(cond('contact.lifecycle', 'eq', 'client'), cond('contact.lifecycle', 'eq', 'prospect')))).toEqual([]);
  });
});

describe('built-in segments', () => {
  it('are all valid definitions', () => {
    for (const b of Object.values(builtinSegments)) expect(errorsOf(b.definition)).toEqual([]);
  });

  it('take their conditions from the code, except VIP which the admin sets', () => {
    const stored = all(cond('computed.totalRevenue', 'gte', 1));
    expect(effectiveDefinition({ builtin: 'detractors', definition: stored })).toBe(builtinSegments.detractors.definition);
    expect(effectiveDefinition({ builtin: 'vip', definition: stored })).toBe(stored);
  });

  it('offer the custom fields of the workspace in the editor, typed', () => {
    const fields = availableSegmentFields(custom);
    expect(fields.find((x) => x.key === 'contact.customFields.tier')).toMatchObject({ type: 'enum', values: ['gold', 'silver'], label: 'Nivel' });
    expect(fields.find((x) => x.key === 'company.customFields.founded')?.type).toBe('date');
  });
});

describe('segment access', () => {
  const ana = { userId: 'ana', role: 'sales' as const };
  const boss = { userId: 'boss', role: 'admin' as const };
  it('lets everyone see built-in and shared segments, and only the owner or an admin see a private one', () => {
    expect(segmentAccess(ana, { ownerId: 'luis', shared: false, builtin: null }).canSee).toBe(false);
    expect(segmentAccess(ana, { ownerId: 'luis', shared: true, builtin: null })).toEqual({ canSee: true, canEdit: false, canDelete: false });
    expect(segmentAccess(boss, { ownerId: 'luis', shared: false, builtin: null })).toEqual({ canSee: true, canEdit: true, canDelete: true });
    expect(segmentAccess(ana, { ownerId: 'ana', shared: false, builtin: null })).toEqual({ canSee: true, canEdit: true, canDelete: true });
  });

  it('keeps built-ins read-only except VIP for an admin, and never deletable', () => {
    expect(segmentAccess(boss, { ownerId: null, shared: true, builtin: 'at_risk' })).toEqual({ canSee: true, canEdit: false, canDelete: false });
    expect(segmentAccess(boss, { ownerId: null, shared: true, builtin: 'vip' })).toEqual({ canSee: true, canEdit: true, canDelete: false });
    expect(segmentAccess(ana, { ownerId: null, shared: true, builtin: 'vip' }).canEdit).toBe(false);
  });
});
